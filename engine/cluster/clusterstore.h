// The shared-store queries only scale-out nodes run: ticket number blocks, taking an event
// over, creating events, catching up on decisions missed while cut off from the broker, and
// finding unpaid orders whose decider is gone.
#pragma once

#include "engine/core/eventbook.h"
#include "engine/node/scaleout.h"
#include "engine/storage/store.h"

#include <QSqlDatabase>

namespace flashsale::clusterstore {

// Tickets are numbered in blocks of this size (one TicketBook chunk), one block per node at a time.
inline constexpr std::uint64_t kSeqBlockSize = 65536;

// Creates what only scale-out nodes use (the block sequence, the per-event journal index, the
// cluster's id) and returns the cluster's id: a random name made by the first node, which keeps
// the broker's queues of clusters with different stores apart. Empty on failure.
QByteArray prepare(QSqlDatabase &db, QString *error);
// Reserves a fresh block for this node; returns its first seq, or 0 with error set.
std::uint64_t reserveSeqBlock(QSqlDatabase &db, QString *error);
// One past the last seq of the blocks reserved so far by all nodes; 0 on failure.
std::uint64_t reservedSeqLimit(QSqlDatabase &db);
// Makes the caller the event's decider: raises its epoch (waiting for any commit of the previous
// decider to finish) and loads everything deciding it needs, in one transaction: stock, units
// held per user, decided requestIds, and with a payment window the orders (awaiting payment among
// them) and the leads not offered anything yet.
bool takeOver(QSqlDatabase &db, const QString &eventId, EventTakeover *loaded, QString *error);
// Inserts a new event. Status::Exists if the id is taken, Status::Unavailable on a store error.
Status insertEvent(QSqlDatabase &db, const EventSnapshot &event, QString *error);

// What changed in the store since sinceMs: every event, and the tickets decided since then.
bool loadSince(QSqlDatabase &db, std::int64_t sinceMs, StoreCatchUp *catchUp, QString *error);
// The events with orders still awaiting payment whose deadline is before deadlineBeforeMs.
bool eventsWithOverdueOrders(QSqlDatabase &db, std::int64_t deadlineBeforeMs, std::vector<QString> *eventIds, QString *error);
// The decided tickets among seqs (the others are not decided yet).
bool loadTickets(QSqlDatabase &db, const std::vector<std::uint64_t> &seqs, StoreCatchUp *catchUp, QString *error);

} // namespace flashsale::clusterstore
