#include "engine/core/ticketbook.h"

namespace flashsale {

TicketBook::TicketBook()
    : m_chunks(new std::atomic<Entry *>[kMaxChunks])
{
    for (std::size_t i = 0; i < kMaxChunks; ++i)
        m_chunks[i].store(nullptr, std::memory_order_relaxed);
}

TicketBook::~TicketBook()
{
    for (std::size_t i = 0; i < kMaxChunks; ++i)
        delete[] m_chunks[i].load(std::memory_order_relaxed);
}

TicketBook::Entry *TicketBook::entryFor(std::uint64_t seq) const
{
    if (seq == 0 || seq > m_lastSeq.load(std::memory_order_acquire))
        return nullptr;
    Entry *chunk = m_chunks[seq >> kChunkBits].load(std::memory_order_acquire);
    return chunk ? &chunk[seq & (kChunkSize - 1)] : nullptr;
}

TicketBook::Entry *TicketBook::createEntry(std::uint64_t seq)
{
    const std::size_t chunkIndex = seq >> kChunkBits;
    Q_ASSERT(chunkIndex < kMaxChunks);
    Entry *chunk = m_chunks[chunkIndex].load(std::memory_order_relaxed);
    if (!chunk) {
        chunk = new Entry[kChunkSize];
        m_chunks[chunkIndex].store(chunk, std::memory_order_release);
    }
    return &chunk[seq & (kChunkSize - 1)];
}

TicketView TicketBook::viewOf(std::uint64_t seq, const Entry &entry) const
{
    TicketView view{seq, entry.tag, entry.eventIndex, entry.state, entry.reason, entry.orderId};
    if (entry.state == TicketState::Lost && m_hasOffers.load(std::memory_order_acquire)) {
        std::lock_guard lock(m_offerMutex);
        if (auto it = m_offers.constFind(seq); it != m_offers.constEnd())
            std::tie(view.offerOrderId, view.offerExpiresAtMs) = *it;
    }
    return view;
}

void TicketBook::setOffer(std::uint64_t seq, std::int64_t orderId, std::int64_t expiresAtMs,
                          std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    std::lock_guard lock(m_offerMutex);
    m_offers.insert(seq, {orderId, expiresAtMs});
    m_hasOffers.store(true, std::memory_order_release);
    const std::uint32_t mask = m_offerWatchers.take(seq);
    for (int listener = 0; listener < kMaxListeners; ++listener) {
        if (mask & (1u << listener))
            notify[listener].push_back(seq);
    }
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
    const Entry *entry = entryFor(seq);
    if (!entry)
        return std::nullopt;
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    if (entry->eventIndex < 0)
        return std::nullopt;
    return viewOf(seq, *entry);
}

std::optional<TicketView> TicketBook::watch(std::uint64_t seq, int listener, TicketState untilState)
{
    Entry *entry = entryFor(seq);
    if (!entry)
        return std::nullopt;
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    if (entry->eventIndex < 0)
        return std::nullopt;
    if (entry->state < untilState && isListener(listener))
        entry->listenerMask |= 1u << listener;
    return viewOf(seq, *entry);
}

void TicketBook::settle(std::uint64_t seq, Entry &entry, TicketState state, LossReason reason, std::int64_t orderId,
                        std::array<std::vector<std::uint64_t>, kMaxListeners> &notify)
{
    std::uint32_t mask = 0;
    {
        std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
        // Cluster mode: a broker confirm may arrive after the decision it led to.
        if (state == TicketState::Queued && entry.state != TicketState::Pending)
            return;
        entry.state = state;
        entry.reason = reason;
        entry.orderId = orderId;
        mask = entry.listenerMask;
        entry.listenerMask = 0;
    }
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
        if (Entry *entry = entryFor(change.seq))
            settle(change.seq, *entry, change.state, change.reason, change.orderId, notify);
    }
}

void TicketBook::restore(const TicketView &ticket, const QString &requestId, std::uint64_t userHash)
{
    std::lock_guard growLock(m_growMutex);
    Entry *entry = createEntry(ticket.seq);
    entry->tag = ticket.tag;
    entry->userHash = userHash;
    entry->eventIndex = ticket.eventIndex;
    entry->state = ticket.state;
    entry->reason = ticket.reason;
    entry->orderId = ticket.orderId;
    if (ticket.seq > m_lastSeq.load(std::memory_order_relaxed))
        m_lastSeq.store(ticket.seq, std::memory_order_release);
    Key key{ticket.eventIndex, requestId};
    m_keyStripes[qHash(key, 0) % kStripes].seqByKey.insert(std::move(key), ticket.seq);
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
    m_spareBlocks.emplace_back(first, first + count);
    m_seqsLeft.fetch_add(count, std::memory_order_relaxed);
}

std::uint64_t TicketBook::seqsLeft() const
{
    return m_seqsLeft.load(std::memory_order_relaxed);
}

bool TicketBook::watchUnseen(std::uint64_t seq, int listener)
{
    std::lock_guard growLock(m_growMutex);
    Entry *entry = createEntry(seq);
    if (seq > m_lastSeq.load(std::memory_order_relaxed))
        m_lastSeq.store(seq, std::memory_order_release);
    std::lock_guard lock(m_entryStripes[seq % kStripes].mutex);
    if (entry->eventIndex >= 0)
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
        Entry *entry = entryFor(seq);
        bool isNew = false;
        if (!entry || entry->eventIndex < 0) {
            std::lock_guard growLock(m_growMutex);
            entry = createEntry(seq);
            std::lock_guard entryLock(m_entryStripes[seq % kStripes].mutex);
            if (entry->eventIndex < 0) {
                // Keeps the listeners of a poller that asked before the ticket was known here.
                *entry = Entry{ticket.view.tag, ticket.userHash, ticket.view.eventIndex, 0, entry->listenerMask,
                               TicketState::Pending, LossReason::None};
                isNew = true;
            }
            if (seq > m_lastSeq.load(std::memory_order_relaxed))
                m_lastSeq.store(seq, std::memory_order_release);
        }
        if (isNew) {
            Key key{ticket.view.eventIndex, ticket.requestId};
            KeyStripe &stripe = m_keyStripes[qHash(key, 0) % kStripes];
            std::lock_guard keyLock(stripe.mutex);
            if (!stripe.seqByKey.contains(key))
                stripe.seqByKey.insert(std::move(key), seq);
        }
        settle(seq, *entry, ticket.view.state, ticket.view.reason, ticket.view.orderId, notify);
    }
}

} // namespace flashsale
