#include "engine/core/ticketbook.h"

#include <QByteArray>
#include <QDebug>

#include <algorithm>
#include <cstring>
#include <utility>

namespace flashsale {

TicketBook::TicketBook(TicketBookOptions options)
    : m_options{std::min(options.maxSeq, kMaxSeq), options.collideKeysForTesting}
    , m_hashKey(SipKey::random())
    , m_chunks(new std::atomic<Entry *>[kMaxChunks])
    , m_chunkFacts(new ChunkFacts[kMaxChunks])
    , m_droppedChunks(new std::atomic<bool>[kMaxChunks])
{
    for (std::size_t i = 0; i < kMaxChunks; ++i) {
        m_chunks[i].store(nullptr, std::memory_order_relaxed);
        m_droppedChunks[i].store(false, std::memory_order_relaxed);
    }
}

TicketBook::~TicketBook()
{
    for (std::size_t i = 0; i < kMaxChunks; ++i)
        delete[] m_chunks[i].load(std::memory_order_relaxed);
}

std::size_t TicketBook::heapBytes() const
{
    std::size_t bytes = m_chunkCount.load(std::memory_order_relaxed) * kChunkSize * sizeof(Entry)
        + kMaxChunks * (sizeof(std::atomic<Entry *>) + sizeof(ChunkFacts) + sizeof(std::atomic<bool>));
    for (KeyStripe &stripe : m_keyStripes) {
        std::lock_guard lock(stripe.mutex);
        bytes += stripe.slots.capacity() * sizeof(KeySlot);
    }
    for (EntryStripe &stripe : m_entryStripes) {
        std::lock_guard lock(stripe.mutex);
        bytes += std::size_t(stripe.pendingIds.capacity()) * (sizeof(std::uint64_t) + sizeof(QString));
    }
    return bytes;
}

Hash128 TicketBook::keyHash(std::int32_t eventIndex, const QString &requestId) const
{
    if (m_options.collideKeysForTesting)
        return Hash128{std::uint64_t(eventIndex), 0};
    // The event index's four bytes, then the requestId's UTF-16 code units.
    std::array<char, 4 + 2 * 256> buffer;
    const std::size_t idBytes = std::size_t(requestId.size()) * sizeof(char16_t);
    const std::uint32_t index = std::uint32_t(eventIndex);
    if (idBytes + 4 <= buffer.size()) {
        std::memcpy(buffer.data(), &index, 4);
        std::memcpy(buffer.data() + 4, requestId.utf16(), idBytes);
        return sipHash128(m_hashKey, buffer.data(), idBytes + 4);
    }
    QByteArray bytes(reinterpret_cast<const char *>(&index), 4);
    bytes.append(reinterpret_cast<const char *>(requestId.utf16()), qsizetype(idBytes));
    return sipHash128(m_hashKey, bytes.constData(), std::size_t(bytes.size()));
}

TicketBook::Match TicketBook::matches(std::uint64_t seq, std::int32_t eventIndex, const QString &requestId) const
{
    {
        EntryStripe &stripe = m_entryStripes[seq % kStripes];
        std::lock_guard lock(stripe.mutex);
        if (const Entry *entry = entryFor(seq)) {
            if (entry->eventIndex() != eventIndex)
                return Match::Different;
            if (auto it = stripe.pendingIds.constFind(seq); it != stripe.pendingIds.constEnd())
                return *it == requestId ? Match::Same : Match::Different;
        }
    }
    if (!m_journalCheck)
        return Match::Same;
    const std::optional<bool> same = m_journalCheck(seq, eventIndex, requestId);
    if (!same)
        return Match::Unknown;
    return *same ? Match::Same : Match::Different;
}

void TicketBook::insertKey(KeyStripe &stripe, const Hash128 &hash, std::uint64_t seq)
{
    if ((stripe.used + 1) * 4 > stripe.slots.size() * 3) {
        const std::size_t grown = std::max<std::size_t>(64, stripe.slots.size() * 2);
        std::vector<KeySlot> old = std::exchange(stripe.slots, std::vector<KeySlot>(grown));
        stripe.used = 0;
        for (const KeySlot &slot : old) {
            if (slot.seq != 0)
                insertKey(stripe, slot.hash, slot.seq);
        }
    }
    const std::size_t mask = stripe.slots.size() - 1;
    std::size_t i = (hash.lo / kStripes) & mask;
    while (stripe.slots[i].seq != 0)
        i = (i + 1) & mask;
    stripe.slots[i] = KeySlot{hash, seq};
    ++stripe.used;
}

bool TicketBook::hasKey(const KeyStripe &stripe, const Hash128 &hash, std::uint64_t seq)
{
    if (stripe.slots.empty())
        return false;
    const std::size_t mask = stripe.slots.size() - 1;
    for (std::size_t i = (hash.lo / kStripes) & mask; stripe.slots[i].seq != 0; i = (i + 1) & mask) {
        if (stripe.slots[i].seq == seq && stripe.slots[i].hash == hash)
            return true;
    }
    return false;
}

TicketBook::Entry *TicketBook::entryFor(std::uint64_t seq) const
{
    if (seq == 0 || seq > m_lastSeq.load(std::memory_order_acquire))
        return nullptr;
    Entry *chunk = m_chunks[seq >> kChunkBits].load(std::memory_order_acquire);
    return chunk ? &chunk[seq & (kChunkSize - 1)] : nullptr;
}

TicketBook::Entry *TicketBook::createEntry(std::uint64_t seq, std::int32_t eventIndex, bool undecided)
{
    const std::size_t chunkIndex = seq >> kChunkBits; // below kMaxChunks: every caller checks seq <= m_options.maxSeq
    Entry *chunk = m_chunks[chunkIndex].load(std::memory_order_relaxed);
    if (!chunk) {
        chunk = new Entry[kChunkSize];
        m_chunks[chunkIndex].store(chunk, std::memory_order_release);
        m_droppedChunks[chunkIndex].store(false, std::memory_order_release);
        m_chunkCount.fetch_add(1, std::memory_order_relaxed);
    }
    ChunkFacts &facts = m_chunkFacts[chunkIndex];
    if (eventIndex >= 0 && std::find(facts.events.begin(), facts.events.end(), eventIndex) == facts.events.end())
        facts.events.push_back(eventIndex);
    if (undecided)
        facts.undecided.fetch_add(1, std::memory_order_relaxed);
    return &chunk[seq & (kChunkSize - 1)];
}

TicketView TicketBook::viewOf(std::uint64_t seq, const Entry &entry) const
{
    TicketView view{seq,           entry.tag,           entry.eventIndex(), TicketState(entry.state),
                    LossReason(entry.reason), entry.orderId};
    if (view.state == TicketState::Lost) {
        if (const auto offer = offerOf(seq))
            std::tie(view.offerOrderId, view.offerExpiresAtMs) = *offer;
    }
    return view;
}

std::optional<std::pair<std::int64_t, std::int64_t>> TicketBook::offerOf(std::uint64_t seq) const
{
    if (!m_hasOffers.load(std::memory_order_acquire))
        return std::nullopt;
    std::lock_guard lock(m_offerMutex);
    if (auto it = m_offers.constFind(seq); it != m_offers.constEnd())
        return *it;
    return std::nullopt;
}

void TicketBook::setOffer(std::uint64_t seq, std::int64_t orderId, std::int64_t expiresAtMs,
                          std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    std::lock_guard lock(m_offerMutex);
    m_offers.insert(seq, {orderId, expiresAtMs});
    m_hasOffers.store(true, std::memory_order_release);
    addListeners(seq, m_offerWatchers.take(seq), notify);
}

std::optional<TicketView> TicketBook::watchOffer(std::uint64_t seq, int listener)
{
    std::optional<TicketView> view = get(seq);
    if (!view || !isListener(listener))
        return view;
    std::lock_guard lock(m_offerMutex);
    if (auto it = m_offers.constFind(seq); it != m_offers.constEnd())
        std::tie(view->offerOrderId, view->offerExpiresAtMs) = *it; // arrived since get()
    else
        m_offerWatchers[seq] |= 1u << listener;
    return view;
}

std::optional<TicketView> TicketBook::get(std::uint64_t seq) const
{
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    const Entry *entry = entryFor(seq);
    if (!entry || entry->eventSlot == 0)
        return std::nullopt;
    return viewOf(seq, *entry);
}

bool TicketBook::isInStore(std::uint64_t seq) const
{
    return seq != 0 && seq <= m_lastSeq.load(std::memory_order_acquire)
        && m_droppedChunks[seq >> kChunkBits].load(std::memory_order_acquire);
}

std::optional<TicketView> TicketBook::watch(std::uint64_t seq, int listener, TicketState untilState)
{
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    Entry *entry = entryFor(seq);
    if (!entry || entry->eventSlot == 0)
        return std::nullopt;
    if (TicketState(entry->state) < untilState && isListener(listener))
        entry->listenerMask |= 1u << listener;
    return viewOf(seq, *entry);
}

std::uint32_t TicketBook::settle(std::uint64_t seq, Entry &entry, TicketState state, LossReason reason, std::int64_t orderId)
{
    // Cluster mode: a broker confirm may arrive after the decision it led to.
    if (state == TicketState::Queued && TicketState(entry.state) != TicketState::Pending)
        return 0;
    if (isDecided(state)) {
        m_entryStripes[seq % kStripes].pendingIds.remove(seq); // the journal holds it from now on
        if (!isDecided(TicketState(entry.state)))
            m_chunkFacts[seq >> kChunkBits].undecided.fetch_sub(1, std::memory_order_relaxed);
    }
    entry.state = std::uint32_t(state);
    entry.reason = std::uint32_t(reason);
    entry.orderId = orderId;
    return std::exchange(entry.listenerMask, 0);
}

void TicketBook::addListeners(std::uint64_t seq, std::uint32_t mask, std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    while (mask) {
        const int listener = std::countr_zero(mask);
        mask &= mask - 1;
        notify[listener].push_back(seq);
    }
}

void TicketBook::apply(const std::vector<TicketChange> &changes,
                       std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    for (const TicketChange &change : changes) {
        std::uint32_t mask = 0;
        {
            std::lock_guard lock(m_entryStripes[change.seq % kStripes].mutex);
            if (Entry *entry = entryFor(change.seq); entry && entry->eventSlot != 0)
                mask = settle(change.seq, *entry, change.state, change.reason, change.orderId);
        }
        addListeners(change.seq, mask, notify);
    }
}

bool TicketBook::restore(const TicketView &ticket, const QString &requestId, std::uint64_t userHash)
{
    if (ticket.seq == 0 || ticket.seq > m_options.maxSeq || ticket.eventIndex < 0 || ticket.eventIndex > kMaxEventIndex)
        return false;
    std::lock_guard growLock(m_growMutex);
    Entry *entry = createEntry(ticket.seq, ticket.eventIndex, !isDecided(ticket.state));
    *entry = Entry{ticket.tag,           userHash, ticket.orderId, 0, std::uint32_t(ticket.eventIndex + 1),
                   std::uint32_t(ticket.state), std::uint32_t(ticket.reason)};
    if (ticket.seq > m_lastSeq.load(std::memory_order_relaxed))
        m_lastSeq.store(ticket.seq, std::memory_order_release);
    const Hash128 hash = keyHash(ticket.eventIndex, requestId);
    insertKey(m_keyStripes[hash.lo % kStripes], hash, ticket.seq);
    return true;
}

std::uint64_t TicketBook::dropDecided(std::int64_t nowMs, std::int64_t maxAgeMs,
                                      const std::function<bool(std::int32_t)> &eventEnded)
{
    std::lock_guard growLock(m_growMutex);
    if (m_usesSeqBlocks)
        return 0;
    // Only whole chunks: the last one still takes new tickets.
    const std::size_t whole = std::size_t((m_lastSeq.load(std::memory_order_relaxed) + 1) >> kChunkBits);
    std::vector<Entry *> retired;
    for (std::size_t c = 0; c < whole; ++c) {
        Entry *chunk = m_chunks[c].load(std::memory_order_relaxed);
        ChunkFacts &facts = m_chunkFacts[c];
        if (!chunk || facts.undecided.load(std::memory_order_relaxed) != 0)
            continue;
        if (facts.decidedSinceMs == 0)
            facts.decidedSinceMs = nowMs;
        const bool ended = !facts.events.empty() && std::all_of(facts.events.begin(), facts.events.end(), eventEnded);
        if (!ended && nowMs - facts.decidedSinceMs < maxAgeMs)
            continue;
        m_droppedChunks[c].store(true, std::memory_order_release);
        m_chunks[c].store(nullptr, std::memory_order_release);
        retired.push_back(chunk);
    }
    if (retired.empty())
        return 0;
    // Whoever read a retired pointer did so under an entry stripe mutex: once each has been
    // taken after the stores above, nobody holds one.
    for (EntryStripe &stripe : m_entryStripes)
        std::lock_guard lock(stripe.mutex);
    for (Entry *chunk : retired)
        delete[] chunk;
    m_chunkCount.fetch_sub(retired.size(), std::memory_order_relaxed);
    return retired.size() * kChunkSize;
}

void TicketBook::useSeqBlocks()
{
    std::lock_guard growLock(m_growMutex);
    m_usesSeqBlocks = true;
    m_seqsLeft.store(0, std::memory_order_relaxed);
}

void TicketBook::addSeqBlock(std::uint64_t first, std::uint64_t count)
{
    std::lock_guard growLock(m_growMutex);
    // Numbers past maxSeq are never handed out (findOrCreate answers Exhausted at the first).
    m_spareBlocks.emplace_back(first, first + count);
    m_seqsLeft.fetch_add(count, std::memory_order_relaxed);
}

std::uint64_t TicketBook::seqsLeft() const
{
    return m_seqsLeft.load(std::memory_order_relaxed);
}

bool TicketBook::watchUnseen(std::uint64_t seq, int listener)
{
    if (seq == 0 || seq > m_options.maxSeq)
        return false; // no ticket can have it
    std::lock_guard growLock(m_growMutex);
    Entry *entry = createEntry(seq, -1, false);
    if (seq > m_lastSeq.load(std::memory_order_relaxed))
        m_lastSeq.store(seq, std::memory_order_release);
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    if (entry->eventSlot != 0)
        return false;
    if (isListener(listener))
        entry->listenerMask |= 1u << listener;
    return true;
}

void TicketBook::applyRemote(const std::vector<RemoteTicket> &tickets,
                             std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    for (const RemoteTicket &ticket : tickets) {
        const std::uint64_t seq = ticket.view.seq;
        const std::int32_t eventIndex = ticket.view.eventIndex;
        if (seq == 0 || seq > m_options.maxSeq || eventIndex < 0 || eventIndex > kMaxEventIndex) {
            qWarning("ticket %llu of event %d is beyond what this node's ticket table holds: not recorded",
                     static_cast<unsigned long long>(seq), eventIndex);
            continue;
        }
        bool isNew = false;
        bool known = false;
        std::uint32_t mask = 0;
        {
            std::lock_guard entryLock(m_entryStripes[seq % kStripes].mutex);
            if (Entry *entry = entryFor(seq); entry && entry->eventSlot != 0) {
                mask = settle(seq, *entry, ticket.view.state, ticket.view.reason, ticket.view.orderId);
                known = true;
            }
        }
        if (!known) {
            // Cluster mode drops nothing (dropDecided), so an entry stays where createEntry put it.
            std::lock_guard growLock(m_growMutex);
            Entry *entry = createEntry(seq, eventIndex, false);
            if (seq > m_lastSeq.load(std::memory_order_relaxed))
                m_lastSeq.store(seq, std::memory_order_release);
            std::lock_guard entryLock(m_entryStripes[seq % kStripes].mutex);
            if (entry->eventSlot == 0) {
                // Keeps the listeners of a poller that asked before the ticket was known here.
                *entry = Entry{ticket.view.tag,  ticket.userHash, 0, entry->listenerMask, std::uint32_t(eventIndex + 1),
                               std::uint32_t(TicketState::Pending), 0};
                m_chunkFacts[seq >> kChunkBits].undecided.fetch_add(1, std::memory_order_relaxed);
                isNew = true;
            }
            mask = settle(seq, *entry, ticket.view.state, ticket.view.reason, ticket.view.orderId);
        }
        if (isNew) {
            const Hash128 hash = keyHash(eventIndex, ticket.requestId);
            KeyStripe &stripe = m_keyStripes[hash.lo % kStripes];
            std::lock_guard keyLock(stripe.mutex);
            if (!hasKey(stripe, hash, seq))
                insertKey(stripe, hash, seq);
        }
        addListeners(seq, mask, notify);
    }
}

} // namespace flashsale
