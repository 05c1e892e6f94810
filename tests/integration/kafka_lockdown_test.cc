// The broker is locked down (deploy/kafka/acls.yaml on the broker of scripts/kafka.sh): checked
// against the real, unprefixed topic names with the real service certificates. A client without
// a certificate, over TLS or plaintext, can neither list topics nor read judgments nor write
// one; collection may write events but not read judgments (it does not even see them);
// judgment reads events in its consumer group; dispatch reads judgments but may not write events;
// supervision reads events, judgments, dispatch events and dead letters in its group and writes
// only access records.
//
// Every other test connects as admin, a super user, so that its own topic prefix needs no ACLs;
// this one is where the ACLs themselves are tested. With the authorizer off it fails.
#include <gtest/gtest.h>
#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/kafka/admin.h"
#include "common/kafka/client_conf.h"
#include "common/kafka/producer.h"
#include "common/kafka/topics.h"
#include "tests/integration/support/bus.h"

namespace infobus::testing {
namespace {

using Settings = std::map<std::string, std::string>;

// A client that presents `identity`'s certificate ("" none: the CA only).
Settings As(const std::string& identity) {
  return kafka::ClientSecurity::FromPkiDir(TestKafkaPkiDir(), identity).Settings();
}
Settings Plaintext() { return {{"security.protocol", "plaintext"}}; }

Settings With(Settings settings, const Settings& more) {
  for (const auto& [key, value] : more) settings[key] = value;
  return settings;
}

// The topics the broker lists to a client with `settings`; an error when it lists none.
absl::StatusOr<std::set<std::string>> ListTopics(const Settings& settings) {
  auto conf = kafka::NewClientConf(With(settings, {{"bootstrap.servers", TestBootstrapServers()}}),
                                   "lister");
  if (!conf.ok()) return conf.status();
  std::string error;
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf->get(), error));
  if (!client) return absl::InternalError(error);
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code = client->metadata(true, nullptr, &raw, 5000);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) return absl::UnavailableError(RdKafka::err2str(code));
  std::set<std::string> topics;
  for (const RdKafka::TopicMetadata* topic : *metadata->topics()) {
    if (topic->err() == RdKafka::ERR_NO_ERROR) topics.insert(topic->topic());
  }
  return topics;
}

// The broker's answer about `topic` alone to a client with `settings`.
RdKafka::ErrorCode DescribeTopic(const Settings& settings, const std::string& topic) {
  auto conf = kafka::NewClientConf(With(settings, {{"bootstrap.servers", TestBootstrapServers()}}),
                                   "describer");
  if (!conf.ok()) return RdKafka::ERR__INVALID_ARG;
  std::string error;
  std::unique_ptr<RdKafka::Producer> client(RdKafka::Producer::create(conf->get(), error));
  if (!client) return RdKafka::ERR__INVALID_ARG;
  std::unique_ptr<RdKafka::Topic> handle(
      RdKafka::Topic::create(client.get(), topic, nullptr, error));
  RdKafka::Metadata* raw = nullptr;
  const RdKafka::ErrorCode code = client->metadata(false, handle.get(), &raw, 5000);
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  if (code != RdKafka::ERR_NO_ERROR) return code;
  for (const RdKafka::TopicMetadata* listed : *metadata->topics()) {
    if (listed->topic() == topic) return listed->err();
  }
  return RdKafka::ERR_UNKNOWN_TOPIC_OR_PART;
}

// Produces one record (acks=all); the delivery report's verdict.
absl::Status Produce(const Settings& settings, const std::string& topic, const std::string& value) {
  auto producer = kafka::Producer::Create(TestBootstrapServers(),
                                          With(settings, {{"message.timeout.ms", "5000"}}));
  if (!producer.ok()) return producer.status();
  return (*producer)->ProduceAll({{topic, "lockdown", value, {}}})[0];
}

// What a consumer with `settings` saw of `topic` until it read `value`, hit an error in
// `stop_on`, or `timeout` passed.
struct ReadOutcome {
  bool found = false;
  RdKafka::ErrorCode stopped_by = RdKafka::ERR_NO_ERROR;
  std::set<std::string> errors;
};

const std::set<RdKafka::ErrorCode> kAuthorizationFailed = {RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED,
                                                           RdKafka::ERR_GROUP_AUTHORIZATION_FAILED};

// Reads every partition of `topic` from the beginning; with `group` it subscribes in that
// consumer group (as the services do), else it assigns (no group needed).
ReadOutcome Read(const Settings& settings, const std::string& topic, const std::string& value,
                 const std::string& group, const std::set<RdKafka::ErrorCode>& stop_on,
                 absl::Duration timeout) {
  ReadOutcome outcome;
  std::random_device random;
  Settings conf_settings = With(settings, {{"bootstrap.servers", TestBootstrapServers()},
                                           {"auto.offset.reset", "earliest"},
                                           {"enable.auto.commit", "false"},
                                           {"enable.auto.offset.store", "false"}});
  conf_settings["group.id"] = group.empty() ? absl::StrCat("lockdown-", random()) : group;
  auto conf = kafka::NewClientConf(conf_settings, "lockdown reader");
  if (!conf.ok()) {
    ADD_FAILURE() << conf.status();
    return outcome;
  }
  std::string error;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer(
      RdKafka::KafkaConsumer::create(conf->get(), error));
  if (!consumer) {
    ADD_FAILURE() << error;
    return outcome;
  }
  std::vector<RdKafka::TopicPartition*> partitions;
  if (group.empty()) {
    auto count = kafka::PartitionCount(TestBootstrapServers(), topic, absl::Seconds(10));
    if (!count.ok()) {
      ADD_FAILURE() << count.status();
      return outcome;
    }
    for (int32_t partition = 0; partition < *count; ++partition) {
      partitions.push_back(
          RdKafka::TopicPartition::create(topic, partition, RdKafka::Topic::OFFSET_BEGINNING));
    }
    consumer->assign(partitions);
  } else {
    consumer->subscribe({topic});
  }
  for (const absl::Time deadline = absl::Now() + timeout; absl::Now() < deadline;) {
    std::unique_ptr<RdKafka::Message> message(consumer->consume(200));
    if (message->err() == RdKafka::ERR_NO_ERROR) {
      if (message->len() == value.size() &&
          std::string(static_cast<const char*>(message->payload()), message->len()) == value) {
        outcome.found = true;
        break;
      }
    } else if (message->err() != RdKafka::ERR__TIMED_OUT &&
               message->err() != RdKafka::ERR__PARTITION_EOF) {
      outcome.errors.insert(RdKafka::err2str(message->err()));
      if (stop_on.count(message->err()) > 0) {
        outcome.stopped_by = message->err();
        break;
      }
    }
  }
  consumer->close();
  RdKafka::TopicPartition::destroy(partitions);
  return outcome;
}

std::string Unique(const std::string& what) {
  std::random_device random;
  return absl::StrCat("lockdown-", what, "-", absl::ToUnixNanos(absl::Now()), "-", random());
}

// Supervision's own repartition topic (services/supervision/fact_handler.h), no prefix.
constexpr char kSupervisionFacts[] = "infobus.supervision-facts.v1";

class KafkaLockdown : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ASSERT_EQ(TestKafkaSecurity().protocol, "ssl")
        << "INFOBUS_TEST_KAFKA_SECURITY=plaintext: a plaintext broker is not locked down";
    // The real topics, as admin (the process's identity in tests), as a service would make them.
    const kafka::Topics topics("");
    ASSERT_TRUE(kafka::EnsureTopics(TestBootstrapServers(),
                                    {{topics.events, 1, 1, {}},
                                     {topics.judgments, 1, 1, {}},
                                     {topics.dispatch_events, 1, 1, {}},
                                     {topics.dead_letters, 1, 1, {}},
                                     {topics.audit, 1, 1, {{"retention.ms", "-1"}}},
                                     {kSupervisionFacts, 1, 1, {{"retention.ms", "-1"}}}},
                                    absl::Seconds(30))
                    .ok());
  }

  const kafka::Topics topics_{""};
};

TEST_F(KafkaLockdown, AClientWithoutACertificateCanNeitherListNorReadNorWrite) {
  const std::string judgment = Unique("judgment");
  ASSERT_TRUE(Produce(As("admin"), topics_.judgments, judgment).ok());
  for (const auto& [name, settings] : std::map<std::string, Settings>{
           {"TLS without certificate", As("")}, {"plaintext", Plaintext()}}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(ListTopics(settings).ok());
    EXPECT_FALSE(Produce(settings, topics_.judgments, Unique("forged")).ok());
    EXPECT_FALSE(Read(settings, topics_.judgments, judgment, "", {}, absl::Seconds(5)).found);
  }
}

TEST_F(KafkaLockdown, CollectionWritesEventsButCannotReadOrEvenSeeJudgments) {
  EXPECT_TRUE(Produce(As("collection"), topics_.events, Unique("event")).ok());

  auto listed = ListTopics(As("collection"));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->count(topics_.events), 1u);
  EXPECT_EQ(listed->count(topics_.judgments), 0u) << "collection may describe judgments";

  EXPECT_EQ(DescribeTopic(As("collection"), topics_.judgments),
            RdKafka::ERR_TOPIC_AUTHORIZATION_FAILED);
  EXPECT_EQ(DescribeTopic(As("collection"), topics_.events), RdKafka::ERR_NO_ERROR);

  // Reading as a consumer does (it has no consumer group of its own either).
  const std::string judgment = Unique("judgment");
  ASSERT_TRUE(Produce(As("admin"), topics_.judgments, judgment).ok());
  const ReadOutcome read = Read(As("collection"), topics_.judgments, judgment, "",
                                kAuthorizationFailed, absl::Seconds(20));
  EXPECT_FALSE(read.found) << "collection read a judgment";
  EXPECT_NE(read.stopped_by, RdKafka::ERR_NO_ERROR)
      << "no authorization error; errors seen: " << ::testing::PrintToString(read.errors);
}

TEST_F(KafkaLockdown, JudgmentReadsEventsInItsConsumerGroup) {
  const std::string event = Unique("event");
  ASSERT_TRUE(Produce(As("collection"), topics_.events, event).ok());
  const ReadOutcome read =
      Read(As("judgment"), topics_.events, event, "infobus-judgment", {}, absl::Seconds(60));
  EXPECT_TRUE(read.found) << "errors seen: " << ::testing::PrintToString(read.errors);
}

TEST_F(KafkaLockdown, DispatchReadsJudgmentsButCannotWriteEvents) {
  const std::string judgment = Unique("judgment");
  ASSERT_TRUE(Produce(As("admin"), topics_.judgments, judgment).ok());
  const ReadOutcome read =
      Read(As("dispatch"), topics_.judgments, judgment, "infobus-dispatch", {}, absl::Seconds(60));
  EXPECT_TRUE(read.found) << "errors seen: " << ::testing::PrintToString(read.errors);

  const absl::Status forged = Produce(As("dispatch"), topics_.events, Unique("forged"));
  EXPECT_FALSE(forged.ok()) << "dispatch wrote an event";
  EXPECT_NE(forged.ToString().find("uthoriz"), std::string::npos) << forged;
}

TEST_F(KafkaLockdown,
       SupervisionReadsItsFourTopicsInItsGroupAndWritesOnlyAccessRecordsAndItsFacts) {
  for (const std::string& topic :
       {topics_.events, topics_.judgments, topics_.dispatch_events, topics_.dead_letters}) {
    SCOPED_TRACE(topic);
    const std::string fact = Unique("fact");
    ASSERT_TRUE(Produce(As("admin"), topic, fact).ok());
    const ReadOutcome read = Read(As("supervision"), topic, fact, "infobus-supervision",
                                  kAuthorizationFailed, absl::Seconds(60));
    EXPECT_TRUE(read.found) << "errors seen: " << ::testing::PrintToString(read.errors);
  }
  EXPECT_TRUE(Produce(As("supervision"), topics_.audit, Unique("audit")).ok());
  // Its repartition topic it writes and reads back in its group; judgment may not touch it.
  const std::string repartitioned = Unique("repartitioned");
  ASSERT_TRUE(Produce(As("supervision"), kSupervisionFacts, repartitioned).ok());
  const ReadOutcome back = Read(As("supervision"), kSupervisionFacts, repartitioned,
                                "infobus-supervision", kAuthorizationFailed, absl::Seconds(60));
  EXPECT_TRUE(back.found) << "errors seen: " << ::testing::PrintToString(back.errors);
  EXPECT_FALSE(Produce(As("judgment"), kSupervisionFacts, Unique("forged")).ok());
  // It changes nothing: no event, judgment or delivery state change is its to write.
  for (const std::string& topic : {topics_.events, topics_.judgments, topics_.dispatch_events}) {
    const absl::Status forged = Produce(As("supervision"), topic, Unique("forged"));
    EXPECT_FALSE(forged.ok()) << "supervision wrote to " << topic;
    EXPECT_NE(forged.ToString().find("uthoriz"), std::string::npos) << forged;
  }
  // Nor may it read in another service's group.
  const std::string judgment = Unique("judgment");
  ASSERT_TRUE(Produce(As("admin"), topics_.judgments, judgment).ok());
  const ReadOutcome other = Read(As("supervision"), topics_.judgments, judgment, "infobus-dispatch",
                                 kAuthorizationFailed, absl::Seconds(20));
  EXPECT_FALSE(other.found) << "supervision read in dispatch's group";
}

}  // namespace
}  // namespace infobus::testing
