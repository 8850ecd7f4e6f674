// What staff ask of the engine and what it answers: statuses, actions, patches, results. Plain values.
#pragma once

#include "engine/core/types.h"

#include <QString>

#include <cstdint>
#include <optional>

namespace flashsale {

// Outcome of an engine operation. Zero is never valid.
enum class Status : std::uint8_t {
    Ok = 1,
    NotFound,     // no such event or ticket
    Invalid,      // a field is missing or out of range (message says which)
    Exists,       // an event with that id already exists
    InvalidState, // the event's state does not allow the change
    NotOpen,      // shoppers: the event has not opened yet
    Overloaded,   // the queue is full; try again later
    Unavailable,  // the store is failing or the engine is shutting down
    IdempotencyConflict, // shoppers: the requestId was already used by another user
};

// Staff actions that move an event through its life.
enum class EventAction : std::uint8_t { Open = 1, Pause, End };

// How a new event starts its life: a draft nobody sees, or launched at once (scheduled when its
// start is ahead, open otherwise: what EventAction::Open does to a draft), in the same commit.
enum class CreateAs : std::uint8_t { Draft = 1, Launched };

// Fields a PATCH may change; unset ones stay.
struct EventPatch {
    std::optional<QString> name;
    std::optional<std::int64_t> priceCents;
    std::optional<QString> currency;
    std::optional<std::int64_t> stock;
    std::optional<std::int32_t> perUserLimit;
    std::optional<std::int64_t> startsAtMs;
    std::optional<std::int64_t> endsAtMs;
    std::optional<std::int32_t> paymentWindowSeconds;
    std::optional<ReleasePolicy> releasePolicy;
    std::optional<ShopperIdentity> shopperIdentity; // until launched
    std::optional<std::int32_t> fairStartMs;        // until launched
};

// Result of a staff operation: the status, the event as it now is, and a message naming the problem.
struct AdminResult {
    Status status = Status::Invalid;
    EventSnapshot event;
    QString message;
    OrderView order{}; // an order action: the order as it now is
};

} // namespace flashsale
