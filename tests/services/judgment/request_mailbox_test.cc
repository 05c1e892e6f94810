// The loop's mailbox answers each request once: refused at once, or when the turn that staged it
// commits (OK) or aborts (UNAVAILABLE), or when the mailbox goes (UNAVAILABLE).
#include "services/judgment/request_mailbox.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace infobus::judgment {
namespace {

// A reload request that records every answer it is given.
JudgmentRequestPtr Recorded(std::vector<absl::StatusCode>* answers) {
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kReload;
  request->on_done = [answers](JudgmentRequest& done) { answers->push_back(done.status.code()); };
  return request;
}

TEST(RequestMailboxTest, TakeHandsOverWhatWasPostedOldestFirstAndOnlyOnce) {
  RequestMailbox mailbox;
  std::vector<absl::StatusCode> answers;
  JudgmentRequestPtr first = Recorded(&answers), second = Recorded(&answers);
  mailbox.Post(first);
  mailbox.Post(second);
  std::deque<JudgmentRequestPtr> taken = mailbox.Take();
  ASSERT_EQ(taken.size(), 2u);
  EXPECT_EQ(taken[0], first);
  EXPECT_EQ(taken[1], second);
  EXPECT_TRUE(mailbox.Take().empty());
  for (const JudgmentRequestPtr& request : taken) mailbox.Answer(request, absl::OkStatus());
}

TEST(RequestMailboxTest, AStagedRequestIsAnsweredWhenItsTurnSettlesAndOnlyThen) {
  RequestMailbox mailbox;
  std::vector<absl::StatusCode> answers;
  mailbox.Post(Recorded(&answers));
  mailbox.Post(Recorded(&answers));
  std::deque<JudgmentRequestPtr> taken = mailbox.Take();
  mailbox.Staged(taken[0]);
  mailbox.Staged(taken[1]);
  EXPECT_TRUE(answers.empty()) << "answered before its turn committed";
  mailbox.Committed();
  EXPECT_EQ(answers, (std::vector<absl::StatusCode>{absl::StatusCode::kOk, absl::StatusCode::kOk}));
  mailbox.Committed();  // the next turn staged nothing: nobody is answered twice
  EXPECT_EQ(answers.size(), 2u);
}

TEST(RequestMailboxTest, AnAbortedTurnAnswersUnavailableAndARefusalIsFinal) {
  RequestMailbox mailbox;
  std::vector<absl::StatusCode> answers;
  mailbox.Post(Recorded(&answers));
  mailbox.Post(Recorded(&answers));
  std::deque<JudgmentRequestPtr> taken = mailbox.Take();
  mailbox.Answer(taken[0], absl::InvalidArgumentError("bad rules file"));
  mailbox.Staged(taken[1]);
  mailbox.Aborted();
  mailbox.Answer(taken[1], absl::OkStatus());  // too late: it was answered
  EXPECT_EQ(answers, (std::vector<absl::StatusCode>{absl::StatusCode::kInvalidArgument,
                                                    absl::StatusCode::kUnavailable}));
}

TEST(RequestMailboxTest, WhatIsLeftWhenTheMailboxGoesIsAnsweredUnavailable) {
  std::vector<absl::StatusCode> answers;
  {
    RequestMailbox mailbox;
    mailbox.Post(Recorded(&answers));
    mailbox.Staged(mailbox.Take()[0]);  // staged in a turn that never settled
    mailbox.Post(Recorded(&answers));   // posted and never taken
  }
  EXPECT_EQ(answers, (std::vector<absl::StatusCode>(2, absl::StatusCode::kUnavailable)));
}

TEST(RequestMailboxTest, PostAndWaitReturnsTheAnswerGivenOnAnotherThread) {
  RequestMailbox mailbox;
  std::thread loop([&mailbox] {
    // The loop's side: take until the request arrives, stage it, commit.
    for (;;) {
      std::deque<JudgmentRequestPtr> taken = mailbox.Take();
      if (taken.empty()) {
        std::this_thread::yield();
        continue;
      }
      mailbox.Staged(taken.front());
      mailbox.Committed();
      return;
    }
  });
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kAbsorb;
  EXPECT_TRUE(mailbox.PostAndWait(request, absl::Seconds(30)).ok());
  loop.join();
}

TEST(RequestMailboxTest, PostAndWaitGivesUpAtItsTimeoutWhenNobodyAnswers) {
  RequestMailbox mailbox;
  auto request = std::make_shared<JudgmentRequest>();
  request->kind = JudgmentRequest::Kind::kAbsorb;
  EXPECT_EQ(mailbox.PostAndWait(request, absl::Milliseconds(10)).code(),
            absl::StatusCode::kDeadlineExceeded);
  EXPECT_EQ(mailbox.Take().size(), 1u) << "the request stays posted: it may still be applied";
}

}  // namespace
}  // namespace infobus::judgment
