#pragma once

#include <map>
#include <string>

#include "absl/time/time.h"
#include "infobus/common/v1/audit.pb.h"
#include "infobus/supervision/storage/v1/supervision_state.pb.h"

namespace infobus::supervision {

using infobus::supervision::storage::v1::DeliveryRecord;
using infobus::supervision::storage::v1::EventRecord;
using infobus::supervision::storage::v1::JudgmentRecord;
using infobus::supervision::storage::v1::SendBackRecord;
using infobus::supervision::storage::v1::Tally;

// Changes to tallies, by encoded TallyKey, to be added to what the store holds.
using TallyDeltas = std::map<std::string, Tally>;

// What an item adds to the tallies is a function of its record alone, so a change of the
// record — a late sign-off, a review, a judgment that arrives after its dispatch facts — is
// folded in by taking the old record's contribution out (sign -1) and putting the new one's in
// (sign +1), in the hour the item belongs to (its event time): facts may come in any order and
// any number of times, and the tallies end up the same. Pure.

// An accepted event: one in the hour of occurred_at.
void AddEvent(const EventRecord& event, const std::string& source_id, int sign,
              TallyDeltas* deltas);
// A dead letter (counted once per origin record), in the hour it was dead-lettered.
void AddDeadLetter(const std::string& topic, absl::Time at, int sign, TallyDeltas* deltas);
// An event collection rejected (its REJECTED audit record, counted once per record), in the
// hour it was rejected.
void AddRejected(const infobus::common::v1::AuditRecord& rejected, int sign, TallyDeltas* deltas);
// A judgment (nothing until it has been seen): one in the hour of its event time (window_end,
// else created_at), with its review and its verdict (Verdict).
void AddJudgment(const JudgmentRecord& judgment, int sign, TallyDeltas* deltas);
// A delivery (nothing until its DELIVERED fact has been seen), in the hour it was delivered:
// sign-off (and its latency), against the deadline, escalation, feedback, send-backs and
// approval.
void AddDelivery(const DeliveryRecord& delivery, int sign, TallyDeltas* deltas);

// The feedback loop's verdict on a judgment: a review decides; unreviewed, an outcome
// HANDLED or APPREHENDED makes it positive, else FALSE_POSITIVE negative, else none yet.
enum class Verdict { kNone, kPositive, kNegative };
Verdict VerdictOf(const JudgmentRecord& judgment);

// When the delivery was signed off: acknowledged, or (a sign-off too) feedback given;
// InfinitePast when neither.
absl::Time SignedOffAt(const DeliveryRecord& delivery);

// `into` += `delta`, field by field.
void Accumulate(const Tally& delta, Tally* into);
bool IsEmpty(const Tally& tally);

}  // namespace infobus::supervision
