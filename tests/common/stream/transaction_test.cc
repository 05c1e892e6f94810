// A Transaction settles its participants once, in order, and says what it holds.
#include "common/stream/transaction.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace infobus::stream {
namespace {

// Writes how it was told the transaction ended into a shared log.
class LoggingParticipant final : public Participant {
 public:
  LoggingParticipant(std::string name, std::vector<std::string>* log)
      : name_(std::move(name)), log_(log) {}
  void Committed() override { log_->push_back(name_ + " committed"); }
  void Aborted() override { log_->push_back(name_ + " aborted"); }

 private:
  std::string name_;
  std::vector<std::string>* log_;
};

TEST(TransactionTest, CommitTellsEachParticipantOnceInTheOrderTheyFirstEnlisted) {
  std::vector<std::string> log;
  LoggingParticipant inbox("inbox", &log), journal("journal", &log);
  {
    Transaction transaction("dlq", "group");
    transaction.Enlist(&inbox);
    transaction.Enlist(&journal);
    transaction.Enlist(&inbox);  // a handler enlists on every batch and tick of a turn
    transaction.Commit();
    transaction.Commit();
  }  // and the destructor's abort comes too late to count
  EXPECT_EQ(log, (std::vector<std::string>{"inbox committed", "journal committed"}));
}

TEST(TransactionTest, OnlyTheFirstSettlementCountsAndAnUnsettledOneIsAborted) {
  std::vector<std::string> log;
  LoggingParticipant inbox("inbox", &log);
  {
    Transaction transaction("dlq", "group");
    transaction.Enlist(&inbox);
    transaction.Abort();
    transaction.Commit();
  }
  {
    Transaction forgotten("dlq", "group");
    forgotten.Enlist(&inbox);
  }
  EXPECT_EQ(log, (std::vector<std::string>{"inbox aborted", "inbox aborted"}));
}

TEST(TransactionTest, IsEmptyUntilSomethingIsStagedAndEnlistingStagesNothing) {
  std::vector<std::string> log;
  LoggingParticipant inbox("inbox", &log);
  Transaction transaction("dlq", "group");
  transaction.Enlist(&inbox);
  EXPECT_TRUE(transaction.empty());
  transaction.batch().Put("k", "v");
  EXPECT_FALSE(transaction.empty());

  Transaction output_only("dlq", "group");
  output_only.Produce({"out", "k", "v", {}});
  EXPECT_FALSE(output_only.empty());
  Transaction trailing_only("dlq", "group");
  trailing_only.ProduceAfterOutput({"changelog", "k", "v", {}});
  EXPECT_FALSE(trailing_only.empty());
  EXPECT_EQ(trailing_only.output().size(), 0u);
  EXPECT_EQ(trailing_only.trailing().size(), 1u);
}

TEST(TransactionTest, ADeadLetterGoesOutWithTheOutputToTheDeadLetterTopic) {
  Transaction transaction("infobus.dlq.v1", "judgment");
  kafka::Record record;
  record.topic = "infobus.events.v1";
  record.partition = 3;
  record.offset = 41;
  record.value = "not a protobuf";
  transaction.DeadLetter(record, "cannot parse");
  ASSERT_EQ(transaction.output().size(), 1u);
  EXPECT_EQ(transaction.output()[0].topic, "infobus.dlq.v1");
  EXPECT_EQ(transaction.output()[0].key, "infobus.events.v1/3");
  EXPECT_TRUE(transaction.trailing().empty());
  EXPECT_TRUE(transaction.failure().ok());
  transaction.Fail(absl::UnavailableError("store down"));
  EXPECT_EQ(transaction.failure().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace infobus::stream
