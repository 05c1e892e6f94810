#include "common/stream/consumer_loop.h"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/dead_letter.h"
#include "common/kafka/record_from.h"
#include "common/log/log.h"
#include "common/metrics/metrics.h"

namespace infobus::stream {

std::string OffsetKey(const std::string& topic, int32_t partition) {
  return absl::StrCat(topic, "/", partition);
}

namespace {

// The loop's labelled series. Every label value a loop can know of (its topics and group) is
// exported at 0 when it starts, so dashboards and alerts see a series before its first event
// (the dead letters' through ExportDeadLetters).
prometheus::Family<prometheus::Counter>& BatchesFailed() {
  static auto& family = metrics::CounterFamily("infobus_consumer_batches_failed_total",
                                               "Consumer batches not committed (retried).");
  return family;
}
prometheus::Family<prometheus::Counter>& Restarts() {
  static auto& family = metrics::CounterFamily(
      "infobus_consumer_restarts_total",
      "Consumers replaced after a fatal error (e.g. a static member fenced) or an assignment "
      "whose stored offsets could not be read.");
  return family;
}
prometheus::Family<prometheus::Counter>& OffsetReadFailures() {
  static auto& family = metrics::CounterFamily(
      "infobus_consumer_offset_read_failures_total",
      "Assignments refused because a stored offset could not be read; the loop retries with a "
      "new consumer instead of resuming from Kafka's committed offset.");
  return family;
}
prometheus::Family<prometheus::Counter>& RecordsConsumed() {
  static auto& family = metrics::CounterFamily("infobus_consumer_records_total",
                                               "Records consumed and committed, by topic.");
  return family;
}

// The next offset to consume of a partition as the store holds it; nullopt when the store has
// none (a partition never consumed here). A value that is not 8 bytes is corrupt, not absent.
absl::StatusOr<std::optional<int64_t>> ReadStoredOffset(const Store& store,
                                                        const std::string& topic,
                                                        int32_t partition) {
  auto stored = store.Get(ConsumerLoop::kOffsetsFamily, OffsetKey(topic, partition));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::nullopt;
  if ((*stored)->size() != 8) {
    return absl::DataLossError(absl::StrCat("stored offset of ", topic, "/", partition, " is ",
                                            (*stored)->size(), " bytes, not 8"));
  }
  return static_cast<int64_t>(DecodeBigEndian64(**stored));
}

}  // namespace

// Resumes assigned partitions from the offsets in the store. Runs inside consume().
class ConsumerLoop::Rebalancer : public RdKafka::RebalanceCb {
 public:
  explicit Rebalancer(ConsumerLoop* loop) : loop_(loop) {}

  void rebalance_cb(RdKafka::KafkaConsumer* consumer, RdKafka::ErrorCode err,
                    std::vector<RdKafka::TopicPartition*>& partitions) override {
    if (loop_->closing_fatal_) {
      // Closing a consumer being replaced: its partitions were given up already.
      if (err != RdKafka::ERR__ASSIGN_PARTITIONS) consumer->unassign();
      return;
    }
    loop_->assignment_changed_ = true;
    if (err == RdKafka::ERR__ASSIGN_PARTITIONS) {
      std::vector<std::pair<std::string, int32_t>> assigned;
      for (RdKafka::TopicPartition* partition : partitions) {
        assigned.emplace_back(partition->topic(), partition->partition());
        loop_->assigned_.insert(assigned.back());
      }
      loop_->handler_->OnAssigned(assigned, loop_->revoked_);
      loop_->revoked_.clear();
      // A partition whose stored offset cannot be read must not resume from Kafka's committed
      // offset, which trails the store (it would redo, or for a fresh group skip, what the store
      // holds). The whole assignment is refused: the loop gives the partitions up (handlers see
      // them revoked as lost), replaces the consumer and tries again, counted and failing its
      // health until the store reads.
      std::vector<std::optional<int64_t>> offsets;
      for (RdKafka::TopicPartition* partition : partitions) {
        auto offset = ReadStoredOffset(*loop_->store_, partition->topic(), partition->partition());
        if (!offset.ok()) {
          OffsetReadFailures().Add({{"group", loop_->options_.group_id}}).Increment();
          INFOBUS_LOG(Error) << "cannot resume " << partition->topic() << "/"
                             << partition->partition()
                             << ", refusing the assignment: " << offset.status();
          loop_->unresumable_ = offset.status();
          return;
        }
        offsets.push_back(*offset);
      }
      for (size_t i = 0; i < partitions.size(); ++i) {
        RdKafka::TopicPartition* partition = partitions[i];
        if (offsets[i].has_value()) partition->set_offset(*offsets[i]);
        INFOBUS_LOG(Info) << "assigned " << partition->topic() << "/" << partition->partition()
                          << (offsets[i].has_value()
                                  ? absl::StrCat(" from stored offset ", *offsets[i])
                                  : std::string(" from the committed offset"));
      }
      consumer->assign(partitions);
    } else {
      // Hand the partitions over with Kafka's offsets up to date, for a new owner without
      // our store.
      loop_->CommitToKafka(ConsumerLoop::CommitWhen::kNow);
      loop_->revoked_.clear();
      // Lost (the group moved on without us): someone else may have processed them since.
      const bool lost = consumer->assignment_lost();
      std::vector<std::pair<std::string, int32_t>> revoked;
      for (RdKafka::TopicPartition* partition : partitions) {
        loop_->assigned_.erase({partition->topic(), partition->partition()});
        if (!lost) loop_->revoked_.insert({partition->topic(), partition->partition()});
        revoked.emplace_back(partition->topic(), partition->partition());
      }
      loop_->ForgetLag(revoked);
      loop_->handler_->OnRevoked(revoked);
      consumer->unassign();
    }
  }

 private:
  ConsumerLoop* loop_;
};

absl::StatusOr<std::unique_ptr<ConsumerLoop>> ConsumerLoop::Create(Options options, Store* store,
                                                                   kafka::Producer* producer,
                                                                   RecordHandler* handler) {
  std::unique_ptr<ConsumerLoop> loop(new ConsumerLoop());
  loop->options_ = std::move(options);
  loop->store_ = store;
  loop->producer_ = producer;
  loop->handler_ = handler;
  loop->rebalancer_ = std::make_unique<Rebalancer>(loop.get());

  if (absl::Status status = loop->Connect(); !status.ok()) return status;
  return loop;
}

absl::Status ConsumerLoop::Connect() {
  const Options& o = options_;
  std::map<std::string, std::string> settings = {
      {"bootstrap.servers", o.bootstrap_servers},
      {"group.id", o.group_id},
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"auto.offset.reset", "earliest"},
      {"session.timeout.ms", std::to_string(absl::ToInt64Milliseconds(o.session_timeout))},
      {"client.id", o.group_id},
  };
  if (!o.group_instance_id.empty()) settings["group.instance.id"] = o.group_instance_id;
  for (const auto& [key, value] : o.properties) settings[key] = value;

  auto conf = kafka::NewClientConf(settings, "consumer");
  if (!conf.ok()) return conf.status();
  std::string error;
  if ((*conf)->set("rebalance_cb", rebalancer_.get(), error) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(error);
  }
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) return absl::InvalidArgumentError(absl::StrCat("cannot create consumer: ", error));
  RdKafka::ErrorCode code = consumer->subscribe(o.topics);
  if (code != RdKafka::ERR_NO_ERROR) {
    return absl::InvalidArgumentError(absl::StrCat("subscribe: ", RdKafka::err2str(code)));
  }
  consumer_ = std::move(consumer);
  return absl::OkStatus();
}

bool ConsumerLoop::ReplaceIfFatal() {
  std::string reason;
  if (consumer_->fatal_error(reason) == RdKafka::ERR_NO_ERROR) return false;
  // A fatal consumer never consumes again (librdkafka#3437: a static member whose session
  // expired in a broker outage rejoins and is then fenced by its own new member id). Only a new
  // consumer recovers; its assignment resumes from the store like any other.
  INFOBUS_LOG(Error) << "consumer hit a fatal error, replacing it: " << reason;
  Replace();
  return true;
}

void ConsumerLoop::Replace() {
  Restarts().Add({{"group", options_.group_id}}).Increment();
  // Our partitions may have been processed by someone else since: handlers treat them as lost.
  std::vector<std::pair<std::string, int32_t>> lost(assigned_.begin(), assigned_.end());
  assigned_.clear();
  revoked_.clear();
  kafka_pending_.clear();
  ForgetLag(lost);
  if (!lost.empty()) handler_->OnRevoked(lost);
  closing_fatal_ = true;  // the close below must not call into the handler again
  consumer_->close();
  closing_fatal_ = false;
  consumer_.reset();
}

ConsumerLoop::~ConsumerLoop() {
  Stop();
  if (consumer_ == nullptr) return;
  CommitToKafka(CommitWhen::kNowAndWait);
  consumer_->close();
}

void ConsumerLoop::Start() {
  for (const std::string& topic : options_.topics) {
    kafka::ExportDeadLetters(topic);
    RecordsConsumed().Add({{"topic", topic}});
  }
  BatchesFailed().Add({{"group", options_.group_id}});
  Restarts().Add({{"group", options_.group_id}});
  OffsetReadFailures().Add({{"group", options_.group_id}});
  last_turn_ns_ = last_success_ns_ = absl::GetCurrentTimeNanos();
  thread_ = std::thread([this] { Run(); });
}

void ConsumerLoop::Stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

void ConsumerLoop::Run() {
  absl::Duration backoff = absl::Milliseconds(100);
  while (!stopping_.load()) {
    // Checked every turn: a fatal consumer still "polls" fine (nothing), so the loop would look
    // healthy while it has stopped consuming for good.
    if (consumer_ == nullptr || ReplaceIfFatal()) {
      last_turn_ns_ = absl::GetCurrentTimeNanos();
      if (absl::Status status = Connect(); !status.ok()) {
        INFOBUS_LOG(Error) << "cannot replace the consumer, will retry: " << status;
        BackOff(backoff);
      }
      continue;
    }
    std::vector<kafka::Record> records = PollBatch();
    if (!unresumable_.ok()) {
      // The rebalance callback refused an assignment it could not resume (nothing of it was
      // consumed); a new consumer rejoins the group and the offsets are read again.
      unresumable_ = absl::OkStatus();
      Replace();
      last_turn_ns_ = absl::GetCurrentTimeNanos();
      BatchesFailed().Add({{"group", options_.group_id}}).Increment();
      BackOff(backoff);
      continue;
    }
    const bool committed = ProcessBatch(records);
    last_turn_ns_ = absl::GetCurrentTimeNanos();
    if (committed) {
      last_success_ns_ = last_turn_ns_.load();
      backoff = absl::Milliseconds(100);
      continue;
    }
    BatchesFailed().Add({{"group", options_.group_id}}).Increment();
    Rewind(records);
    BackOff(backoff);
  }
}

void ConsumerLoop::BackOff(absl::Duration& backoff) {
  // So a broker outage is not a busy loop; stays responsive to Stop().
  for (absl::Time until = absl::Now() + backoff; absl::Now() < until && !stopping_.load();) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  backoff = std::min(backoff * 2, absl::Seconds(5));
}

std::vector<kafka::Record> ConsumerLoop::PollBatch() {
  std::vector<kafka::Record> records;
  assignment_changed_ = false;
  int timeout_ms = static_cast<int>(absl::ToInt64Milliseconds(options_.poll_timeout));
  while (static_cast<int>(records.size()) < options_.max_batch && !stopping_.load()) {
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(timeout_ms));
    timeout_ms = 0;  // after the first wait, take only what is already fetched
    if (message->err() == RdKafka::ERR__TIMED_OUT) break;
    if (message->err() == RdKafka::ERR__PARTITION_EOF) continue;
    if (message->err() != RdKafka::ERR_NO_ERROR) {
      INFOBUS_LOG(Warning) << "consume: " << message->errstr();
      break;
    }
    records.push_back(kafka::RecordFrom(*message));
    if (assignment_changed_) break;
  }
  if (assignment_changed_) {
    // Records of partitions taken away during this poll belong to their new owner now.
    records.erase(std::remove_if(records.begin(), records.end(),
                                 [this](const kafka::Record& r) {
                                   return assigned_.count({r.topic, r.partition}) == 0;
                                 }),
                  records.end());
  }
  return records;
}

bool ConsumerLoop::ProcessBatch(const std::vector<kafka::Record>& records) {
  // Every path out settles it: Commit once stored, Abort (or its destructor) otherwise.
  Transaction transaction(options_.dead_letter_topic, options_.group_id);
  if (!records.empty()) handler_->HandleBatch(records, transaction);
  if (transaction.failure().ok()) handler_->OnTick(transaction);
  if (!transaction.failure().ok()) {
    INFOBUS_LOG(Warning) << "batch of " << records.size()
                         << " records failed, will retry: " << transaction.failure();
    transaction.Abort();
    return false;
  }
  if (records.empty() && transaction.empty()) {
    // Idle: nothing came within a poll timeout, so input has stopped and there is no later
    // batch to share a commit with. What is pending goes to Kafka now, and the lag gauge is
    // refreshed, so both read true within a poll timeout of the last batch. Nothing was staged,
    // so there is nothing to store: the participants' turn is over, committed.
    transaction.Commit();
    CommitToKafka(CommitWhen::kIdle);
    return true;
  }

  for (const std::vector<kafka::OutgoingMessage>* phase :
       {&transaction.output(), &transaction.trailing()}) {
    // A stop does not wait out message.timeout.ms for a broker that is gone: past a grace
    // that a broker that is up answers within, the batch is not committed, and its records
    // are offered again (to this group's next owner).
    std::vector<absl::Status> sent = producer_->ProduceAll(*phase, &stopping_, kStopGrace);
    for (const absl::Status& status : sent) {
      if (!status.ok()) {
        INFOBUS_LOG(Warning) << "batch of " << records.size()
                             << " records not committed, will retry: " << status;
        transaction.Abort();
        return false;
      }
    }
  }

  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
  for (const kafka::Record& record : records) {
    int64_t& next = next_offsets[{record.topic, record.partition}];
    next = std::max(next, record.offset + 1);
  }
  for (const auto& [partition, next] : next_offsets) {
    transaction.batch().Put(store_->Family(kOffsetsFamily),
                            OffsetKey(partition.first, partition.second),
                            EncodeBigEndian64(static_cast<uint64_t>(next)));
  }
  if (absl::Status status = store_->Write(&transaction.batch()); !status.ok()) {
    INFOBUS_LOG(Error) << "batch not committed, will retry: " << status;
    transaction.Abort();
    return false;
  }
  transaction.Commit();
  // One labelled-series lookup per topic, not per record.
  std::map<std::string_view, int64_t> per_topic;
  for (const kafka::Record& record : records) ++per_topic[record.topic];
  for (const auto& [topic, count] : per_topic) {
    RecordsConsumed().Add({{"topic", std::string(topic)}}).Increment(static_cast<double>(count));
  }
  for (const auto& [partition, next] : next_offsets) kafka_pending_[partition] = next;
  // A turn without records (a tick's or a request's changes) is an idle one too.
  CommitToKafka(records.empty() ? CommitWhen::kIdle : CommitWhen::kDue);
  return true;
}

void ConsumerLoop::CommitToKafka(CommitWhen when) {
  const absl::Time now = absl::Now();
  if (when == CommitWhen::kDue && now - last_kafka_commit_ < options_.kafka_commit_interval) {
    return;
  }
  UpdateLag();
  // Nothing to commit (an idle turn): the interval starts at the next real commit, so the first
  // batch after a pause is committed, and its lag shown, at once.
  if (kafka_pending_.empty()) return;
  // A commit when idle does not start the interval either: it shares nothing with the batches
  // that follow the pause, and the first of them is committed at once, as above.
  if (when != CommitWhen::kIdle) last_kafka_commit_ = now;
  // Kafka's committed offsets trail the store; they serve lag monitoring and a fresh store.
  std::vector<RdKafka::TopicPartition*> commits;
  for (const auto& [partition, next] : kafka_pending_) {
    commits.push_back(RdKafka::TopicPartition::create(partition.first, partition.second, next));
  }
  if (when == CommitWhen::kNowAndWait) {
    consumer_->commitSync(commits);
  } else {
    consumer_->commitAsync(commits);
  }
  RdKafka::TopicPartition::destroy(commits);
  kafka_pending_.clear();
}

namespace {

prometheus::Family<prometheus::Gauge>& Lag() {
  static auto& family = metrics::GaugeFamily("infobus_consumer_lag",
                                             "Records behind the partition's high watermark.");
  return family;
}

}  // namespace

void ConsumerLoop::ForgetLag(const std::vector<std::pair<std::string, int32_t>>& partitions) {
  for (const auto& [topic, partition] : partitions) {
    const std::map<std::string, std::string> labels = {{"topic", topic},
                                                       {"partition", std::to_string(partition)}};
    Lag().Remove(&Lag().Add(labels));
  }
}

void ConsumerLoop::UpdateLag() {
  // librdkafka keeps positions and watermarks locally, so this asks no broker.
  auto& lag = Lag();
  std::vector<RdKafka::TopicPartition*> partitions;
  for (const auto& [topic, partition] : assigned_) {
    partitions.push_back(RdKafka::TopicPartition::create(topic, partition));
  }
  consumer_->position(partitions);
  for (RdKafka::TopicPartition* partition : partitions) {
    int64_t low = 0, high = 0;
    if (partition->offset() >= 0 &&
        consumer_->get_watermark_offsets(partition->topic(), partition->partition(), &low, &high) ==
            RdKafka::ERR_NO_ERROR &&
        high >= 0) {
      lag.Add(
             {{"topic", partition->topic()}, {"partition", std::to_string(partition->partition())}})
          .Set(static_cast<double>(std::max<int64_t>(0, high - partition->offset())));
    }
  }
  RdKafka::TopicPartition::destroy(partitions);
}

void ConsumerLoop::Rewind(const std::vector<kafka::Record>& records) {
  std::map<std::pair<std::string, int32_t>, int64_t> first_offsets;
  for (const kafka::Record& record : records) {
    auto [it, inserted] =
        first_offsets.try_emplace({record.topic, record.partition}, record.offset);
    if (!inserted) it->second = std::min(it->second, record.offset);
  }
  for (const auto& [partition, offset] : first_offsets) {
    std::unique_ptr<RdKafka::TopicPartition> target(
        RdKafka::TopicPartition::create(partition.first, partition.second, offset));
    RdKafka::ErrorCode code = consumer_->seek(*target, 5000);
    if (code != RdKafka::ERR_NO_ERROR) {
      INFOBUS_LOG(Warning) << "seek " << partition.first << "/" << partition.second << " to "
                           << offset << ": " << RdKafka::err2str(code);
    }
  }
}

absl::Status ConsumerLoop::Health(absl::Duration stall_after) const {
  const absl::Time now = absl::Now();
  const absl::Time last_turn = absl::FromUnixNanos(last_turn_ns_.load());
  const absl::Time last_success = absl::FromUnixNanos(last_success_ns_.load());
  if (now - last_turn > stall_after) {
    return absl::UnavailableError(
        absl::StrCat("consumer loop stuck for ", absl::FormatDuration(now - last_turn)));
  }
  if (now - last_success > stall_after) {
    return absl::UnavailableError(
        absl::StrCat("consumer batches failing for ", absl::FormatDuration(now - last_success)));
  }
  return absl::OkStatus();
}

std::map<std::string, int64_t> ConsumerLoop::StoredOffsets() const {
  std::map<std::string, int64_t> out;
  auto it = store_->NewIterator(kOffsetsFamily);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    const rocksdb::Slice value = it->value();
    // -1: corrupt (see ReadStoredOffset).
    out[it->key().ToString()] =
        value.size() == 8
            ? static_cast<int64_t>(DecodeBigEndian64(std::string_view(value.data(), value.size())))
            : -1;
  }
  return out;
}

}  // namespace infobus::stream
