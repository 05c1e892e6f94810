// The consumer loop against the real broker: state and offsets commit together, a restarted
// loop resumes from the offsets in its store (not Kafka's), and a failed batch is offered again
// with nothing of it committed.
#include "common/stream/consumer_loop.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <filesystem>
#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/metrics/metrics.h"
#include "tests/integration/support/bus.h"

namespace infobus::stream {
namespace {

using infobus::testing::TestBootstrapServers;
using infobus::testing::TestBus;
using kafka::EnsureTopics;
using kafka::NewClientConf;
using kafka::OutgoingMessage;
using kafka::Producer;
using kafka::ProducerPtr;
using kafka::Record;

constexpr char kStateFamily[] = "state";

// Stages one state entry per record ("offset → value") and one output message per record;
// fails the first `fail_first` batches it sees. What it has seen counts once its transaction
// commits.
class RecordingHandler final : public RecordHandler, private Participant {
 public:
  RecordingHandler(Store* store, std::string output_topic, int fail_first)
      : store_(store), output_topic_(std::move(output_topic)), fail_left_(fail_first) {}

  void HandleBatch(const std::vector<Record>& records, Transaction& context) override {
    context.Enlist(this);
    absl::MutexLock lock(&mutex_);
    if (fail_left_ > 0) {
      --fail_left_;
      ++failed_batches_;
      context.Fail(absl::UnavailableError("injected failure"));
      return;
    }
    for (const Record& record : records) {
      context.batch().Put(store_->Family(kStateFamily),
                          absl::StrCat(record.partition, "/", record.offset), record.value);
      context.Produce({output_topic_, record.key, "out:" + record.value, {}});
      seen_.push_back(record.value);
    }
  }
  void Committed() override {
    absl::MutexLock lock(&mutex_);
    committed_ = seen_;
  }
  void Aborted() override {
    absl::MutexLock lock(&mutex_);
    seen_ = committed_;
  }

  bool WaitForCommitted(size_t count, absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto done = [this, count]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return committed_.size() >= count; };
    return mutex_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  std::vector<std::string> committed() {
    absl::MutexLock lock(&mutex_);
    return committed_;
  }
  int failed_batches() {
    absl::MutexLock lock(&mutex_);
    return failed_batches_;
  }

 private:
  Store* store_;
  std::string output_topic_;
  absl::Mutex mutex_;
  int fail_left_ ABSL_GUARDED_BY(mutex_);
  int failed_batches_ ABSL_GUARDED_BY(mutex_) = 0;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mutex_);
  std::vector<std::string> committed_ ABSL_GUARDED_BY(mutex_);
};

class ConsumerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    input_ = bus_.Topic("input");
    output_ = bus_.Topic("output");
    ASSERT_TRUE(
        EnsureTopics(TestBootstrapServers(),
                     {{input_, 2, 1, {}}, {output_, 1, 1, {}}, {bus_.Topic("dlq"), 1, 1, {}}},
                     absl::Seconds(30))
            .ok());
    auto producer = Producer::Create(TestBootstrapServers(), {});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
    OpenStore();
  }

  void OpenStore() {
    store_.reset();
    auto store = Store::Open(bus_.dir() + "/db", {kStateFamily, ConsumerLoop::kOffsetsFamily}, {});
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
  }

  void ProduceInput(int first, int count) {
    std::vector<OutgoingMessage> messages;
    for (int i = first; i < first + count; ++i) {
      messages.push_back({input_, absl::StrCat("key-", i % 5), absl::StrCat("v", i), {}});
    }
    for (const absl::Status& status : producer_->ProduceAll(messages)) ASSERT_TRUE(status.ok());
  }

  std::unique_ptr<ConsumerLoop> StartLoop(RecordingHandler* handler, const std::string& group,
                                          const std::string& instance_id = "",
                                          absl::Duration kafka_commit_interval = absl::Seconds(1)) {
    ConsumerLoop::Options options;
    options.kafka_commit_interval = kafka_commit_interval;
    options.group_instance_id = instance_id;
    options.bootstrap_servers = TestBootstrapServers();
    options.group_id = bus_.prefix() + group;
    options.topics = {input_};
    options.dead_letter_topic = bus_.Topic("dlq");
    options.max_batch = 7;
    auto loop = ConsumerLoop::Create(options, store_.get(), producer_.get(), handler);
    EXPECT_TRUE(loop.ok()) << loop.status();
    (*loop)->Start();
    return std::move(*loop);
  }

  size_t StateEntries() {
    size_t count = 0;
    auto it = store_->NewIterator(kStateFamily);
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++count;
    return count;
  }

  int64_t StoredOffsetSum(ConsumerLoop& loop) {
    int64_t sum = 0;
    for (const auto& [key, next] : loop.StoredOffsets()) sum += next;
    return sum;
  }

  // What Kafka holds as `group`'s committed offsets on the input topic, summed over its
  // partitions (what lag monitoring reads); -1 when it cannot be asked.
  int64_t KafkaCommittedSum(const std::string& group) {
    auto conf = NewClientConf({{"bootstrap.servers", TestBootstrapServers()}, {"group.id", group}},
                              "committed-probe");
    if (!conf.ok()) return -1;
    std::string error;
    std::unique_ptr<RdKafka::KafkaConsumer> probe(
        RdKafka::KafkaConsumer::create(conf->get(), error));
    if (!probe) return -1;
    std::vector<RdKafka::TopicPartition*> partitions = {RdKafka::TopicPartition::create(input_, 0),
                                                        RdKafka::TopicPartition::create(input_, 1)};
    int64_t sum = -1;
    if (probe->committed(partitions, 10000) == RdKafka::ERR_NO_ERROR) {
      sum = 0;
      for (const RdKafka::TopicPartition* partition : partitions) {
        if (partition->offset() >= 0) sum += partition->offset();
      }
    }
    RdKafka::TopicPartition::destroy(partitions);
    probe->close();
    return sum;
  }

  TestBus bus_{"consumer-loop"};
  std::string input_, output_;
  ProducerPtr producer_;
  StorePtr store_;
};

TEST_F(ConsumerLoopTest, StateOffsetsAndOutputCommitTogetherAndARestartResumesFromTheStore) {
  ProduceInput(0, 20);
  {
    RecordingHandler handler(store_.get(), output_, 0);
    auto loop = StartLoop(&handler, "first");
    ASSERT_TRUE(handler.WaitForCommitted(20, absl::Seconds(60)));
    EXPECT_EQ(StateEntries(), 20u);
    EXPECT_EQ(StoredOffsetSum(*loop), 20);  // next offsets of both partitions add up to 20
  }
  EXPECT_EQ(infobus::testing::ReadTopic(output_, 20, absl::Seconds(30)).size(), 20u);

  // A new group id has no committed Kafka offsets and starts at the earliest; only the offsets
  // in the store keep the restarted loop from redoing the first 20.
  OpenStore();
  ProduceInput(20, 5);
  RecordingHandler handler(store_.get(), output_, 0);
  auto loop = StartLoop(&handler, "second");
  ASSERT_TRUE(handler.WaitForCommitted(5, absl::Seconds(60)));
  std::vector<std::string> values = handler.committed();
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()),
            (std::set<std::string>{"v20", "v21", "v22", "v23", "v24"}));
  EXPECT_EQ(StateEntries(), 25u);
}

// Kafka's committed offsets trail the store by the commit interval, also when input stops: an
// idle loop still commits what is pending (it used to return before, leaving the group's
// offsets and its lag gauge behind for good once the last batch came within the interval).
TEST_F(ConsumerLoopTest, KafkasCommittedOffsetsCatchUpWhenInputStops) {
  RecordingHandler handler(store_.get(), output_, 0);
  auto loop = StartLoop(&handler, "idle-commit");
  ProduceInput(0, 20);  // three batches of 7 at most, well within one commit interval
  ASSERT_TRUE(handler.WaitForCommitted(20, absl::Seconds(60)));
  int64_t committed = -1;
  for (absl::Time deadline = absl::Now() + absl::Seconds(15);
       absl::Now() < deadline && committed != 20; absl::SleepFor(absl::Milliseconds(200))) {
    committed = KafkaCommittedSum(bus_.prefix() + "idle-commit");
  }
  EXPECT_EQ(committed, 20)
      << "Kafka's committed offsets stayed behind the store after input stopped";
  loop->Stop();
}

// Once input stops there is no later batch to share a commit with: the first turn that finds
// no records commits what is pending and refreshes the lag gauge at once, not when the commit
// interval is next due. With an interval of an hour, a loop that waits for it shows the first
// batch's offsets (and lag) for that hour.
TEST_F(ConsumerLoopTest, AnIdleTurnCommitsAndShowsTheLagAtOnce) {
  RecordingHandler handler(store_.get(), output_, 0);
  auto loop = StartLoop(&handler, "idle-now", "", absl::Hours(1));
  ProduceInput(0, 20);  // three batches of 7 at most
  ASSERT_TRUE(handler.WaitForCommitted(20, absl::Seconds(60)));
  int64_t committed = -1;
  for (absl::Time deadline = absl::Now() + absl::Seconds(30);
       absl::Now() < deadline && committed != 20; absl::SleepFor(absl::Milliseconds(100))) {
    committed = KafkaCommittedSum(bus_.prefix() + "idle-now");
  }
  EXPECT_EQ(committed, 20) << "the group's committed offsets waited for the commit interval";
  auto& lag = metrics::GaugeFamily("infobus_consumer_lag", "");
  for (const char* partition : {"0", "1"}) {
    EXPECT_EQ(lag.Add({{"topic", input_}, {"partition", partition}}).Value(), 0)
        << "partition " << partition;
  }
  loop->Stop();
}

TEST_F(ConsumerLoopTest, AFailedBatchCommitsNothingAndIsOfferedAgain) {
  ProduceInput(0, 12);
  RecordingHandler handler(store_.get(), output_, 2);
  auto loop = StartLoop(&handler, "retry");
  ASSERT_TRUE(handler.WaitForCommitted(12, absl::Seconds(60)));
  EXPECT_EQ(handler.failed_batches(), 2);
  std::vector<std::string> values = handler.committed();
  EXPECT_EQ(values.size(), 12u) << "a record was lost or processed twice";
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()).size(), 12u);
  EXPECT_EQ(StateEntries(), 12u);
  EXPECT_EQ(StoredOffsetSum(*loop), 12);
}

// A stored offset that cannot be read (here a value that is not 8 bytes; a RocksDB read error
// takes the same path) must not be replaced by Kafka's committed offset: for this fresh group
// that is the earliest, and the loop would redo what the store says is done. Nothing is
// consumed, the failure is counted and the health fails; once the store reads again, the loop
// resumes from the stored offsets.
TEST_F(ConsumerLoopTest, AnUnreadableStoredOffsetIsNotReplacedByKafkasCommittedOffset) {
  std::vector<OutgoingMessage> messages;
  for (int i = 0; i < 10; ++i) {
    OutgoingMessage message{input_, absl::StrCat("key-", i), absl::StrCat("v", i), {}};
    message.partition = i < 6 ? 0 : 1;  // v0..v5 to partition 0, v6..v9 to partition 1
    messages.push_back(std::move(message));
  }
  for (const absl::Status& status : producer_->ProduceAll(messages)) {
    ASSERT_TRUE(status.ok()) << status;
  }
  auto put_offset = [this](int32_t partition, std::string value) {
    rocksdb::WriteBatch batch;
    batch.Put(store_->Family(ConsumerLoop::kOffsetsFamily), OffsetKey(input_, partition), value);
    ASSERT_TRUE(store_->Write(&batch).ok());
  };
  put_offset(0, "bad");
  put_offset(1, EncodeBigEndian64(2));  // v6, v7 done

  const std::string group = bus_.prefix() + "unreadable";
  auto& failures = metrics::CounterFamily("infobus_consumer_offset_read_failures_total", "")
                       .Add({{"group", group}});
  RecordingHandler handler(store_.get(), output_, 0);
  auto loop = StartLoop(&handler, "unreadable");
  auto failing = [&] { return failures.Value() >= 2 && !loop->Health(absl::Seconds(1)).ok(); };
  for (absl::Time deadline = absl::Now() + absl::Seconds(60);
       !failing() && absl::Now() < deadline;) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_TRUE(failing()) << "the unreadable offset was not retried, or the health stayed OK";
  EXPECT_TRUE(handler.committed().empty())
      << "records were consumed from Kafka's committed offset instead of the store's";

  put_offset(0, EncodeBigEndian64(4));  // v0..v3 done
  ASSERT_TRUE(handler.WaitForCommitted(4, absl::Seconds(60)));
  std::vector<std::string> values = handler.committed();
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()),
            (std::set<std::string>{"v4", "v5", "v8", "v9"}));
  EXPECT_EQ(StoredOffsetSum(*loop), 10);  // 6 in partition 0, 4 in partition 1
  loop->Stop();
}

// librdkafka makes a static member that the broker fences (another member joined with its
// group.instance.id; seen after a broker outage, librdkafka#3437) a fatal error: that consumer
// never consumes again. Here a second consumer takes the loop's instance id, then goes away.
TEST_F(ConsumerLoopTest, AFencedStaticMemberRejoinsAndKeepsConsuming) {
  ProduceInput(0, 10);
  RecordingHandler handler(store_.get(), output_, 0);
  auto loop = StartLoop(&handler, "static", "member-1");
  ASSERT_TRUE(handler.WaitForCommitted(10, absl::Seconds(60)));

  {
    auto conf = NewClientConf({{"bootstrap.servers", TestBootstrapServers()},
                               {"group.id", bus_.prefix() + "static"},
                               {"group.instance.id", "member-1"},
                               {"enable.auto.commit", "false"},
                               {"session.timeout.ms", "6000"}},
                              "usurper");
    ASSERT_TRUE(conf.ok()) << conf.status();
    std::string error;
    std::unique_ptr<RdKafka::KafkaConsumer> usurper(
        RdKafka::KafkaConsumer::create(conf->get(), error));
    ASSERT_NE(usurper, nullptr) << error;
    ASSERT_EQ(usurper->subscribe({input_}), RdKafka::ERR_NO_ERROR);
    std::vector<RdKafka::TopicPartition*> assignment;
    for (absl::Time deadline = absl::Now() + absl::Seconds(60);
         assignment.empty() && absl::Now() < deadline;) {
      delete usurper->consume(100);
      usurper->assignment(assignment);
    }
    ASSERT_FALSE(assignment.empty()) << "the second member never joined";
    RdKafka::TopicPartition::destroy(assignment);
    usurper->close();
  }

  // The loop is fenced on its next heartbeat (and, without the fix, never consumes again);
  // the restart counter says when. Records after that must still be consumed.
  auto& restarts = metrics::CounterFamily("infobus_consumer_restarts_total", "")
                       .Add({{"group", bus_.prefix() + "static"}});
  for (absl::Time deadline = absl::Now() + absl::Seconds(60);
       restarts.Value() < 1 && absl::Now() < deadline;) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_GE(restarts.Value(), 1) << "the loop was never fenced, or never replaced its consumer";
  ProduceInput(10, 10);
  ASSERT_TRUE(handler.WaitForCommitted(20, absl::Seconds(90)))
      << "the fenced loop stopped consuming; committed " << handler.committed().size();
  EXPECT_TRUE(loop->Health(absl::Seconds(30)).ok());
  std::vector<std::string> values = handler.committed();
  EXPECT_EQ(std::set<std::string>(values.begin(), values.end()).size(), 20u);
}

// Produces each record to `output_partition` of the output topic and, after the output, a copy
// to the trailing topic (as judgment's changelog does); counts aborted batches.
class TrailingHandler final : public RecordHandler, private Participant {
 public:
  TrailingHandler(std::string output, int32_t output_partition, std::string trailing)
      : output_(std::move(output)),
        output_partition_(output_partition),
        trailing_(std::move(trailing)) {}

  void HandleBatch(const std::vector<Record>& records, Transaction& context) override {
    context.Enlist(this);
    for (const Record& record : records) {
      OutgoingMessage output{output_, record.key, record.value, {}};
      output.partition = output_partition_;
      context.Produce(std::move(output));
      context.ProduceAfterOutput({trailing_, record.key, record.value, {}});
    }
  }
  int aborted() const { return aborted_.load(); }

 private:
  void Committed() override {}
  void Aborted() override { ++aborted_; }

  std::string output_;
  int32_t output_partition_;
  std::string trailing_;
  std::atomic<int> aborted_{0};
};

TEST_F(ConsumerLoopTest, MessagesAfterTheOutputGoOutOnlyOnceTheOutputIsAcknowledged) {
  const std::string trailing = bus_.Topic("trailing");
  ASSERT_TRUE(EnsureTopics(TestBootstrapServers(), {{trailing, 1, 1, {}}}, absl::Seconds(30)).ok());
  ProduceInput(0, 3);
  ConsumerLoop::Options options;
  options.bootstrap_servers = TestBootstrapServers();
  options.group_id = bus_.prefix() + "trailing";
  options.topics = {input_};
  options.dead_letter_topic = bus_.Topic("dlq");
  {
    // The output topic has one partition: output to partition 5 can never be acknowledged.
    TrailingHandler handler(output_, 5, trailing);
    auto loop = ConsumerLoop::Create(options, store_.get(), producer_.get(), &handler);
    ASSERT_TRUE(loop.ok()) << loop.status();
    (*loop)->Start();
    const absl::Time deadline = absl::Now() + absl::Seconds(60);
    while (handler.aborted() < 2 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(20));
    ASSERT_GE(handler.aborted(), 2);
    (*loop)->Stop();
    EXPECT_TRUE((*loop)->StoredOffsets().empty());
  }
  EXPECT_EQ(infobus::testing::ReadTopic(trailing, 1, absl::Seconds(3)).size(), 0u)
      << "a trailing message went out although the output it follows did not";

  // With an output that can be written, both go out and the batch commits.
  TrailingHandler handler(output_, 0, trailing);
  auto loop = ConsumerLoop::Create(options, store_.get(), producer_.get(), &handler);
  ASSERT_TRUE(loop.ok()) << loop.status();
  (*loop)->Start();
  EXPECT_EQ(infobus::testing::ReadTopic(trailing, 3, absl::Seconds(60)).size(), 3u);
  EXPECT_EQ(infobus::testing::ReadTopic(output_, 3, absl::Seconds(60)).size(), 3u);
}

// Stages nothing ever: enlists on every tick and counts how its turns end.
class IdleHandler final : public RecordHandler, private Participant {
 public:
  void HandleBatch(const std::vector<Record>& /*records*/, Transaction& context) override {
    context.Enlist(this);
  }
  void OnTick(Transaction& context) override { context.Enlist(this); }

  bool WaitForCommits(int count, absl::Duration timeout) {
    absl::MutexLock lock(&mutex_);
    auto done = [this, count]()
                    ABSL_EXCLUSIVE_LOCKS_REQUIRED(mutex_) { return committed_ >= count; };
    return mutex_.AwaitWithTimeout(absl::Condition(&done), timeout);
  }
  int aborted() {
    absl::MutexLock lock(&mutex_);
    return aborted_;
  }

 private:
  void Committed() override {
    absl::MutexLock lock(&mutex_);
    ++committed_;
  }
  void Aborted() override {
    absl::MutexLock lock(&mutex_);
    ++aborted_;
  }

  absl::Mutex mutex_;
  int committed_ ABSL_GUARDED_BY(mutex_) = 0;
  int aborted_ ABSL_GUARDED_BY(mutex_) = 0;
};

// A turn that stages nothing (no input, or a request that changes nothing) still ends: what a
// participant holds for it (a request's answer) must not wait for the next turn that stores.
TEST_F(ConsumerLoopTest, ATurnThatStagesNothingSettlesItsParticipantsAsCommitted) {
  IdleHandler handler;
  ConsumerLoop::Options options;
  options.bootstrap_servers = TestBootstrapServers();
  options.group_id = bus_.prefix() + "idle-settles";
  options.topics = {input_};
  options.dead_letter_topic = bus_.Topic("dlq");
  auto loop = ConsumerLoop::Create(options, store_.get(), producer_.get(), &handler);
  ASSERT_TRUE(loop.ok()) << loop.status();
  (*loop)->Start();
  EXPECT_TRUE(handler.WaitForCommits(3, absl::Seconds(30)))
      << "idle turns left their participants unsettled";
  (*loop)->Stop();
  EXPECT_EQ(handler.aborted(), 0);
}

}  // namespace
}  // namespace infobus::stream
