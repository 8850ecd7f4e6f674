// The intent projector: folds the journal's losses into the intent list, off the commit path.
#pragma once

#include "engine/storage/records.h"
#include "engine/storage/store.h"

#include <QSqlDatabase>
#include <QString>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

namespace flashsale {

// Where the projector has got to in the journal: the commit and the position in it of the last
// loss folded into intents (requests.commit_no, requests.commit_pos). Losses after it are "not
// yet in the list".
struct ProjectionCursor {
    std::int64_t commitNo = 0;
    std::int32_t commitPos = 0;
};

// The durable commit (SqlStore::commit) appends journal rows only; this folds their losses per
// event and user exactly as the commit used to (attempts, first and last time, the last quantity,
// reason and non-empty contact, simulated while every attempt was) and upserts intents, in short
// transactions of at most kChunkRows losses that also advance the stored cursor: a kill between
// two loses and repeats nothing. The journal is read in commit order, not seq order: tickets
// take their seq when accepted, fair starts decide them in another order, and scale-out nodes
// commit from their own seq blocks. PostgreSQL: only transactions older than every one still
// running are read (so none can commit behind the cursor), and one node at a time projects
// (an advisory lock its connection holds; the others wait their turn).
// Thread: created and destroyed by the writer (SqlStore); runs on its own std::thread with its
// own connection.
class IntentProjector
{
public:
    static constexpr int kChunkRows = 2048; // losses per projector transaction
    static constexpr int kPollMs = 100;     // how often it looks without a nudge (other nodes' commits)

    explicit IntentProjector(StoreLocation location);
    // Folds what is committed already, then stops.
    ~IntentProjector();
    IntentProjector(const IntentProjector &) = delete;
    IntentProjector &operator=(const IntentProjector &) = delete;

    // Writer thread, after a commit that journaled losses: look now rather than at the next poll.
    void nudge();

private:
    static constexpr int kAdvisoryLockKey = 0x5eca12; // any constant the nodes agree on

    void run();
    // One transaction: folds at most kChunkRows losses after m_cursor. false on a store error.
    bool projectChunk(QSqlDatabase &db, int *folded, QString *error);

    StoreLocation m_location;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_nudged = false;   // guarded by m_mutex
    bool m_stopping = false; // guarded by m_mutex
    ProjectionCursor m_cursor; // projector thread only
    std::thread m_thread;
};

namespace records {
// The cursor as stored.
bool projectionCursor(QSqlDatabase db, ProjectionCursor *cursor, QString *error);
// intentsNotYetListed and waitForIntents: engine/storage/records.h.
} // namespace records

} // namespace flashsale
