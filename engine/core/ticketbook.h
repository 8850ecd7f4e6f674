// In-memory index of every ticket: the idempotency keys, and the state that pollers are served from.
#pragma once

#include "engine/core/types.h"

#include <QHash>

#include <array>
#include <bit>
#include <atomic>
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
    OtherUser,   // the requestId is taken by another user's request (nothing returned)
    Refused,     // journal refused, or no sequence number left (nothing returned)
};

// Thread safety: every method may be called from any thread. Entries are striped over
// kStripes mutexes by sequence number, idempotency keys over kStripes mutexes by key hash.
// Listeners (front ends waiting to answer a client) are bits of an entry's mask; a listener
// that marks a ticket is told once about each later change of that ticket.
class TicketBook
{
public:
    // The listener capacity follows the number of front threads: each (an HTTP acceptor thread)
    // registers one listener, the waiter table its HTTP and WebSocket sides share.
    static constexpr int kMaxFrontThreads = 32;
    static constexpr int kListenersPerFrontThread = 1;
    static constexpr int kMaxListeners = kMaxFrontThreads * kListenersPerFrontThread;
    static_assert(kMaxListeners <= 32, "a listener is a bit of Entry::listenerMask");
    // Whether id names a listener (0..kMaxListeners-1); the others watch nothing.
    static constexpr bool isListener(int id) { return id >= 0 && id < kMaxListeners; }

    TicketBook();
    ~TicketBook();

    // Returns the ticket already recorded for (eventIndex, requestId) if userHash's user made it,
    // or creates a Pending one by calling journal(seq) with a fresh sequence number while the
    // key is locked, so two concurrent duplicates can never both be journaled. journal returns
    // false to refuse (nothing is then recorded). claim says which happened.
    template<typename JournalFn>
    std::optional<TicketView> findOrCreate(std::int32_t eventIndex, const QString &requestId, std::uint64_t userHash,
                                           std::uint64_t tag, Claim *claim, JournalFn &&journal);

    std::optional<TicketView> get(std::uint64_t seq) const;

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

    // Recreates a ticket loaded from the store at start-up (single-threaded phase).
    void restore(const TicketView &ticket, const QString &requestId, std::uint64_t userHash);

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
    struct Entry {
        std::uint64_t tag = 0;
        std::uint64_t userHash = 0; // who made it (0: unknown)
        std::int32_t eventIndex = -1;
        std::int64_t orderId = 0;
        std::uint32_t listenerMask = 0;
        TicketState state = TicketState::Pending;
        LossReason reason = LossReason::None;
    };
    struct Key {
        std::int32_t eventIndex;
        QString requestId;
        bool operator==(const Key &) const = default;
    };
    friend size_t qHash(const Key &key, size_t seed) { return qHashMulti(seed, key.eventIndex, key.requestId); }

    static constexpr int kStripes = 64;
    static constexpr int kChunkBits = 16;
    static constexpr std::uint64_t kChunkSize = 1u << kChunkBits;
    static constexpr std::size_t kMaxChunks = 1u << 16;

    Entry *entryFor(std::uint64_t seq) const;
    Entry *createEntry(std::uint64_t seq);
    // The view of an entry, with its offer if it has one.
    TicketView viewOf(std::uint64_t seq, const Entry &entry) const;
    // Records a ticket's new state and adds its seq to notify for every listener that watched it.
    void settle(std::uint64_t seq, Entry &entry, TicketState state, LossReason reason, std::int64_t orderId,
                std::array<std::vector<std::uint64_t>, kMaxListeners> &notify);

    struct alignas(64) KeyStripe {
        std::mutex mutex;
        QHash<Key, std::uint64_t> seqByKey;
    };
    struct alignas(64) EntryStripe {
        std::mutex mutex;
    };

    std::array<KeyStripe, kStripes> m_keyStripes;
    mutable std::array<EntryStripe, kStripes> m_entryStripes;
    std::unique_ptr<std::atomic<Entry *>[]> m_chunks;
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
    Key key{eventIndex, requestId};
    const size_t hash = qHash(key, 0);
    KeyStripe &stripe = m_keyStripes[hash % kStripes];
    std::lock_guard keyLock(stripe.mutex);
    if (auto it = stripe.seqByKey.constFind(key); it != stripe.seqByKey.constEnd()) {
        if (Entry *found = entryFor(*it)) {
            std::lock_guard entryLock(m_entryStripes[*it % kStripes].mutex);
            if (found->userHash != 0 && userHash != 0 && found->userHash != userHash) {
                *claim = Claim::OtherUser;
                return std::nullopt;
            }
        }
        *claim = Claim::Existing;
        return get(*it);
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
        entry = createEntry(seq);
        {
            std::lock_guard entryLock(m_entryStripes[seq % kStripes].mutex);
            *entry = Entry{tag, userHash, eventIndex, 0, 0, TicketState::Pending, LossReason::None};
        }
        // Published before journaling: the writer may commit and apply this seq at once.
        m_lastSeq.store(std::max(seq, lastBefore), std::memory_order_release);
        if (!journal(seq)) {
            {
                std::lock_guard entryLock(m_entryStripes[seq % kStripes].mutex);
                entry->eventIndex = -1;
            }
            m_lastSeq.store(lastBefore, std::memory_order_release);
            *claim = Claim::Refused;
            return std::nullopt;
        }
        if (m_usesSeqBlocks) {
            ++m_nextSeq;
            m_seqsLeft.fetch_sub(1, std::memory_order_relaxed);
        }
    }
    stripe.seqByKey.insert(std::move(key), seq);
    *claim = Claim::Created;
    return TicketView{seq, tag, eventIndex, TicketState::Pending, LossReason::None, 0};
}

} // namespace flashsale
