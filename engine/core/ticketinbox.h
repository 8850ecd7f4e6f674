// Hands ticket changes from the writer thread to one front-end thread, a whole batch at a time.
#pragma once

#include <cstdint>
#include <mutex>
#include <vector>

namespace flashsale {

// Thread safety: push() runs on the writer thread, takeAll() on the front's thread; m_mutex
// guards m_seqs. push() says when the inbox was empty, so the front is woken exactly once per
// batch however many commits land before it runs.
class TicketInbox
{
public:
    // Moves seqs in (leaving it empty); true when the front must be woken.
    bool push(std::vector<std::uint64_t> &seqs)
    {
        std::lock_guard lock(m_mutex);
        const bool wasEmpty = m_seqs.empty();
        if (wasEmpty)
            m_seqs.swap(seqs);
        else
            m_seqs.insert(m_seqs.end(), seqs.begin(), seqs.end());
        return wasEmpty;
    }

    // Replaces out's contents with everything pushed so far.
    void takeAll(std::vector<std::uint64_t> &out)
    {
        out.clear();
        std::lock_guard lock(m_mutex);
        out.swap(m_seqs);
    }

private:
    std::mutex m_mutex;
    std::vector<std::uint64_t> m_seqs; // guarded by m_mutex
};

} // namespace flashsale
