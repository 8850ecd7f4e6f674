// In-memory index of every ticket: compact per-ticket state pollers are served from, and the
// idempotency index by a keyed 128-bit hash of (event, requestId).
#pragma once

#include "engine/core/keyedhash.h"
#include "engine/core/types.h"

#include <QHash>

#include <array>
#include <bit>
#include <atomic>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>
#include <vector>

namespace flashsale {

// What a poller may learn about one ticket.
struct TicketView {
    std::uint64_t seq = 0;
    std::uint64_t tag = 0;
    std::int32_t eventIndex = -1;
    TicketState state = TicketState::Pending;
    LossReason reason = LossReason::None;
    std::int64_t orderId = 0;
    // A lost ticket whose shopper was offered freed units: the offer's order and its deadline.
    std::int64_t offerOrderId = 0;
    std::int64_t offerExpiresAtMs = 0;
};

// One state change to publish after a commit.
struct TicketChange {
    std::uint64_t seq = 0;
    TicketState state = TicketState::Queued;
    LossReason reason = LossReason::None;
    std::int64_t orderId = 0;
};

// A ticket another node accepted, as its decider announced it.
struct RemoteTicket {
    TicketView view;
    QString requestId;
    std::uint64_t userHash = 0; // hashUserId of its user; 0: unknown (then any user may claim its requestId)
};

// What findOrCreate did with an idempotency key.
enum class Claim : std::uint8_t {
    Created = 1, // a new ticket
    Existing,    // the same user's earlier request with this requestId
    Stored,      // an earlier request with this requestId whose ticket left memory (only seq and
                 // eventIndex returned): the journal answers it, and says whose it is
    OtherUser,   // the requestId is taken by another user's request (nothing returned)
    Refused,     // journal refused, or no number left in this node's blocks (nothing returned)
    Exhausted,   // the table is full: no sequence number or event slot left (nothing returned)
    Unverified,  // the key's hash matched a ticket the journal could not be asked about (nothing returned)
};

// How a TicketBook is sized and keyed.
struct TicketBookOptions {
    // The highest sequence number the book takes (at most TicketBook::kMaxSeq); beyond it
    // findOrCreate answers Claim::Exhausted. Tests lower it to reach the bound.
    std::uint64_t maxSeq = std::numeric_limits<std::uint32_t>::max();
    // Test hook: every idempotency key hashes alike, so each lookup meets the others' tickets
    // and must tell them apart through the journal (TicketBook::setJournalLookup).
    bool collideKeysForTesting = false;
};

// Thread safety: every method may be called from any thread. Entries are striped over
// kStripes mutexes by sequence number, idempotency keys over kStripes mutexes by key hash.
// Entries live in chunks of kChunkSize seqs; a chunk whose tickets are all decided is dropped
// (dropDecided) once it is old enough or all its events ended, and its tickets are then answered
// from the journal (isInStore) while the index keeps their keys. A chunk pointer is read only
// under the seq's entry stripe mutex, so dropDecided frees a chunk once it has cycled them all.
// Listeners (front ends waiting to answer a client) are bits of an entry's mask; a listener
// that marks a ticket is told once about each later change of that ticket.
class TicketBook
{
public:
    // Sequence numbers and event indexes an entry can hold.
    static constexpr std::uint64_t kMaxSeq = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::int32_t kMaxEventIndex = (1 << 24) - 2;
    // Tickets leave memory in whole chunks of this many seqs (see dropDecided).
    static constexpr std::uint64_t kTicketsPerChunk = 1u << 16;
    // Whether the journal's row seq is the request (eventIndex, requestId): what a hash match of a
    // decided ticket is checked against. nullopt when the store cannot say (it failed, or the row
    // is not there). Called on the submitting thread with the key's stripe locked: only when a
    // key's 128-bit hash matches, which for distinct keys the random key makes practically never
    // happen (an idempotent retry is the usual case).
    using JournalCheck = std::function<std::optional<bool>(std::uint64_t seq, std::int32_t eventIndex, const QString &requestId)>;

    // The listener capacity follows the number of front threads: each (an HTTP acceptor thread)
    // registers one listener, the waiter table its HTTP and WebSocket sides share.
    static constexpr int kMaxFrontThreads = 32;
    static constexpr int kListenersPerFrontThread = 1;
    static constexpr int kMaxListeners = kMaxFrontThreads * kListenersPerFrontThread;
    static_assert(kMaxListeners <= 32, "a listener is a bit of Entry::listenerMask");
    // Whether id names a listener (0..kMaxListeners-1); the others watch nothing.
    static constexpr bool isListener(int id) { return id >= 0 && id < kMaxListeners; }

    explicit TicketBook(TicketBookOptions options = {});
    ~TicketBook();

    // Sets the journal check (before any other thread uses the book). Without one a hash match
    // of a decided ticket is trusted.
    void setJournalCheck(JournalCheck check) { m_journalCheck = std::move(check); }
    // Bytes the book holds on the heap (entries, index, pending requestIds), for benchmarks.
    std::size_t heapBytes() const;

    // Returns the ticket already recorded for (eventIndex, requestId) if userHash's user made it,
    // or creates a Pending one by calling journal(seq) with a fresh sequence number while the
    // key is locked, so two concurrent duplicates can never both be journaled. journal returns
    // false to refuse (nothing is then recorded). claim says which happened.
    template<typename JournalFn>
    std::optional<TicketView> findOrCreate(std::int32_t eventIndex, const QString &requestId, std::uint64_t userHash,
                                           std::uint64_t tag, Claim *claim, JournalFn &&journal);

    std::optional<TicketView> get(std::uint64_t seq) const;
    // Whether seq's ticket was dropped from memory (dropDecided): the journal answers for it.
    bool isInStore(std::uint64_t seq) const;
    // The offer made to a lost ticket's shopper (order id, deadline), if any; kept for dropped
    // tickets too.
    std::optional<std::pair<std::int64_t, std::int64_t>> offerOf(std::uint64_t seq) const;

    // Drops from memory the chunks of decided tickets that have been wholly decided for maxAgeMs
    // (as seen by earlier calls, nowMs being now), or whose events all ended (eventEnded). Not
    // in cluster mode (useSeqBlocks), where tickets of any seq may still arrive. Returns the
    // number of tickets dropped. Any thread; one caller at a time.
    std::uint64_t dropDecided(std::int64_t nowMs, std::int64_t maxAgeMs, const std::function<bool(std::int32_t)> &eventEnded);
    // Tickets currently held in memory (in chunks not dropped, counted by whole chunks).
    std::uint64_t chunkedTickets() const { return m_chunkCount.load(std::memory_order_relaxed) * kChunkSize; }

    // Returns the current view and, if the ticket is still short of untilState and listener is
    // one (isListener), asks that it be told of the ticket's next change.
    std::optional<TicketView> watch(std::uint64_t seq, int listener, TicketState untilState);

    // Applies changes; for each listener that watched a changed ticket appends its seq to
    // notify[listener] and clears the watch.
    void apply(const std::vector<TicketChange> &changes,
               std::array<std::vector<std::uint64_t>, kMaxListeners> &notify);

    // Records that the lost ticket's shopper was offered freed units (after the offer's commit,
    // and at start-up); get and watch show it from then on. Appends seq to notify for each
    // listener that watched for an offer (watchOffer) and clears those watches.
    void setOffer(std::uint64_t seq, std::int64_t orderId, std::int64_t expiresAtMs,
                  std::array<std::vector<std::uint64_t>, kMaxListeners> &notify);
    // The current view; while the ticket has no offer, asks that listener (isListener) be told
    // when it gets one.
    std::optional<TicketView> watchOffer(std::uint64_t seq, int listener);

    // Recreates a ticket loaded from the store at start-up (single-threaded phase). False if its
    // seq or event index is beyond what the book holds (then it is not restored).
    bool restore(const TicketView &ticket, const QString &requestId, std::uint64_t userHash);

    // Cluster mode: sequence numbers come from blocks each node reserves in the shared store,
    // so tickets are unique across nodes. Until the first block arrives no ticket can be made.
    void useSeqBlocks();
    void addSeqBlock(std::uint64_t first, std::uint64_t count);
    // Sequence numbers this node can still hand out (unbounded when not using blocks). Lock-free:
    // a front asks on every request.
    std::uint64_t seqsLeft() const;
    // Cluster mode: asks that listener be told when a ticket this node has not seen yet (accepted
    // by another node) is decided here or announced. False if the ticket became known meanwhile;
    // an id that is not a listener (isListener) is told nothing.
    bool watchUnseen(std::uint64_t seq, int listener);
    // Records decided tickets of any node (creating the ones this node has not seen) and, like
    // apply, collects the listeners to tell.
    void applyRemote(const std::vector<RemoteTicket> &tickets,
                     std::array<std::vector<std::uint64_t>, kMaxListeners> &notify);

    std::uint64_t lastSeq() const { return m_lastSeq.load(std::memory_order_acquire); }

private:
    // 32 bytes: what answering a ticket needs. Guarded by the ticket's entry stripe.
    struct Entry {
        std::uint64_t tag = 0;
        std::uint64_t userHash = 0; // who made it (0: unknown)
        std::int64_t orderId = 0;
        std::uint32_t listenerMask = 0;
        std::uint32_t eventSlot : 24 = 0; // eventIndex + 1; 0: no ticket
        std::uint32_t state : 4 = 0;      // TicketState
        std::uint32_t reason : 4 = 0;     // LossReason

        std::int32_t eventIndex() const { return std::int32_t(eventSlot) - 1; }
    };
    static_assert(sizeof(Entry) == 32);
    // One slot of a stripe's open-addressing index; seq 0 marks an empty slot.
    struct KeySlot {
        Hash128 hash;
        std::uint64_t seq = 0;
    };
    // Whether the ticket at seq was made for exactly (eventIndex, requestId).
    enum class Match : std::uint8_t { Same = 1, Different, Unknown };
    // What dropDecided needs of a chunk. Guarded by m_growMutex except undecided (atomic).
    struct ChunkFacts {
        std::atomic<std::uint32_t> undecided{0}; // tickets made and not decided yet
        std::int64_t decidedSinceMs = 0;         // first seen wholly decided (0: not yet)
        std::vector<std::int32_t> events;        // the events of its tickets
    };

    static constexpr int kStripes = 64;
    static constexpr int kChunkBits = 16;
    static constexpr std::uint64_t kChunkSize = kTicketsPerChunk;
    static constexpr std::size_t kMaxChunks = 1u << 16;
    static_assert(kMaxSeq < kMaxChunks * kChunkSize);

    struct alignas(64) KeyStripe {
        std::mutex mutex;
        std::vector<KeySlot> slots; // a power of two long, at most three quarters used
        std::size_t used = 0;
    };
    struct alignas(64) EntryStripe {
        std::mutex mutex;
        // The requestIds of this stripe's tickets not decided yet: the journal does not hold them
        // until their decision commits, and a hash match must be checked against something.
        QHash<std::uint64_t, QString> pendingIds;
    };

    Hash128 keyHash(std::int32_t eventIndex, const QString &requestId) const;
    // Call without any entry stripe locked (it may ask the journal).
    Match matches(std::uint64_t seq, std::int32_t eventIndex, const QString &requestId) const;
    // Call with seq's entry stripe mutex held (the chunk stays alive while it is).
    Entry *entryFor(std::uint64_t seq) const;
    // Call with m_growMutex held; seq must be at most kMaxSeq. Records eventIndex as one of the
    // chunk's events and, for an undecided ticket, counts it.
    Entry *createEntry(std::uint64_t seq, std::int32_t eventIndex, bool undecided);
    // Call with the stripe's mutex held.
    static void insertKey(KeyStripe &stripe, const Hash128 &hash, std::uint64_t seq);
    // Whether the index already maps hash to seq (stripe's mutex held).
    static bool hasKey(const KeyStripe &stripe, const Hash128 &hash, std::uint64_t seq);
    // The view of an entry, with its offer if it has one.
    TicketView viewOf(std::uint64_t seq, const Entry &entry) const;
    // Records a ticket's new state and adds its seq to notify for every listener that watched it.
    // Call with seq's entry stripe mutex held; returns the listeners to tell.
    std::uint32_t settle(std::uint64_t seq, Entry &entry, TicketState state, LossReason reason, std::int64_t orderId);
    static void addListeners(std::uint64_t seq, std::uint32_t mask, std::array<std::vector<std::uint64_t>, kMaxListeners> &notify);

    const TicketBookOptions m_options;
    const SipKey m_hashKey;
    JournalCheck m_journalCheck;
    mutable std::array<KeyStripe, kStripes> m_keyStripes;
    mutable std::array<EntryStripe, kStripes> m_entryStripes;
    std::unique_ptr<std::atomic<Entry *>[]> m_chunks;
    std::unique_ptr<ChunkFacts[]> m_chunkFacts;          // by chunk index
    std::unique_ptr<std::atomic<bool>[]> m_droppedChunks; // by chunk index: dropped by dropDecided
    std::atomic<std::size_t> m_chunkCount{0};             // chunks allocated and not dropped
    mutable std::mutex m_growMutex; // guards chunk allocation, sequence assignment and the fields below
    std::atomic<std::uint64_t> m_lastSeq{0}; // the highest seq with an entry
    bool m_usesSeqBlocks = false;
    std::uint64_t m_nextSeq = 0;  // blocks: the next seq to hand out
    std::uint64_t m_seqLimit = 0; // blocks: one past the current block
    std::vector<std::pair<std::uint64_t, std::uint64_t>> m_spareBlocks; // [first, limit)
    std::atomic<std::uint64_t> m_seqsLeft{std::numeric_limits<std::uint64_t>::max()}; // blocks: what they still hold
    // Offers are rare: a side table, read only once one exists. Written by the writer thread
    // (and at start-up), read by front threads.
    std::atomic<bool> m_hasOffers{false};
    mutable std::mutex m_offerMutex;
    QHash<std::uint64_t, std::pair<std::int64_t, std::int64_t>> m_offers; // guarded by m_offerMutex: seq → order id, deadline
    QHash<std::uint64_t, std::uint32_t> m_offerWatchers; // guarded by m_offerMutex: seq → listener mask
};

template<typename JournalFn>
std::optional<TicketView> TicketBook::findOrCreate(std::int32_t eventIndex, const QString &requestId,
                                                   std::uint64_t userHash, std::uint64_t tag, Claim *claim,
                                                   JournalFn &&journal)
{
    if (eventIndex < 0 || eventIndex > kMaxEventIndex) {
        *claim = Claim::Exhausted;
        return std::nullopt;
    }
    const Hash128 hash = keyHash(eventIndex, requestId);
    KeyStripe &stripe = m_keyStripes[hash.lo % kStripes];
    std::lock_guard keyLock(stripe.mutex);
    if (!stripe.slots.empty()) {
        const std::size_t mask = stripe.slots.size() - 1;
        for (std::size_t i = (hash.lo / kStripes) & mask; stripe.slots[i].seq != 0; i = (i + 1) & mask) {
            const KeySlot &slot = stripe.slots[i];
            if (!(slot.hash == hash))
                continue;
            const Match match = matches(slot.seq, eventIndex, requestId);
            if (match == Match::Different)
                continue; // a collision: another key's ticket
            if (match == Match::Unknown) {
                *claim = Claim::Unverified;
                return std::nullopt;
            }
            {
                std::lock_guard entryLock(m_entryStripes[slot.seq % kStripes].mutex);
                const Entry *found = entryFor(slot.seq);
                if (!found) {
                    // Dropped from memory: the journal knows whose it is.
                    *claim = Claim::Stored;
                    return TicketView{slot.seq, 0, eventIndex, TicketState::Pending, LossReason::None, 0};
                }
                if (found->userHash != 0 && userHash != 0 && found->userHash != userHash) {
                    *claim = Claim::OtherUser;
                    return std::nullopt;
                }
            }
            *claim = Claim::Existing;
            return get(slot.seq);
        }
    }
    std::uint64_t seq = 0;
    Entry *entry = nullptr;
    {
        std::lock_guard growLock(m_growMutex);
        const std::uint64_t lastBefore = m_lastSeq.load(std::memory_order_relaxed);
        if (m_usesSeqBlocks) {
            if (m_nextSeq >= m_seqLimit) {
                if (m_spareBlocks.empty()) {
                    *claim = Claim::Refused;
                    return std::nullopt;
                }
                std::tie(m_nextSeq, m_seqLimit) = m_spareBlocks.front();
                m_spareBlocks.erase(m_spareBlocks.begin());
            }
            seq = m_nextSeq;
        } else {
            seq = lastBefore + 1;
        }
        if (seq > m_options.maxSeq) {
            *claim = Claim::Exhausted;
            return std::nullopt;
        }
        entry = createEntry(seq, eventIndex, true);
        EntryStripe &entryStripe = m_entryStripes[seq % kStripes];
        {
            std::lock_guard entryLock(entryStripe.mutex);
            *entry = Entry{tag, userHash, 0, 0, std::uint32_t(eventIndex + 1), std::uint32_t(TicketState::Pending), 0};
            entryStripe.pendingIds.insert(seq, requestId);
        }
        // Published before journaling: the writer may commit and apply this seq at once.
        m_lastSeq.store(std::max(seq, lastBefore), std::memory_order_release);
        if (!journal(seq)) {
            {
                std::lock_guard entryLock(entryStripe.mutex);
                entry->eventSlot = 0;
                entryStripe.pendingIds.remove(seq);
            }
            m_chunkFacts[seq >> kChunkBits].undecided.fetch_sub(1, std::memory_order_relaxed);
            m_lastSeq.store(lastBefore, std::memory_order_release);
            *claim = Claim::Refused;
            return std::nullopt;
        }
        if (m_usesSeqBlocks) {
            ++m_nextSeq;
            m_seqsLeft.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    insertKey(stripe, hash, seq);
    *claim = Claim::Created;
    return TicketView{seq, tag, eventIndex, TicketState::Pending, LossReason::None, 0};
}

} // namespace flashsale
