#include "services/gateway/sse.h"

#include <gtest/gtest.h>

#include "infobus/common/v1/delivery.pb.h"
#include "infobus/judgment/v1/judgment_service.pb.h"
#include "services/gateway/message_json.h"

namespace infobus::gateway {
namespace {

TEST(SseEvent, IdDataAndTheBlankLine) {
  EXPECT_EQ(SseEvent("7", R"({"seq":"7"})"), "id: 7\ndata: {\"seq\":\"7\"}\n\n");
}

TEST(SseEvent, NoIdLineWithoutAnId) { EXPECT_EQ(SseEvent("", "{}"), "data: {}\n\n"); }

TEST(SseEvent, EachLineOfDataIsADataLine) {
  // Cannot come from MessageToJson (below), but a newline must never end an event early.
  EXPECT_EQ(SseEvent("1", "a\nb\r\nc\rd"), "id: 1\ndata: a\ndata: b\ndata: c\ndata: d\n\n");
}

TEST(SseEvent, MessageJsonIsOneLineWhateverTheStringsHold) {
  infobus::judgment::v1::JudgmentRecord record;
  record.set_seq(3);
  record.mutable_judgment()->set_title("line one\nline two\r\n");
  record.mutable_judgment()->set_summary("扶绥县\u2028");
  absl::StatusOr<std::string> json = MessageToJson(record);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_EQ(json->find('\n'), std::string::npos) << *json;
  EXPECT_EQ(json->find('\r'), std::string::npos) << *json;
  const std::string event = SseEvent(EventIdOf(record), *json);
  EXPECT_EQ(event, "id: 3\ndata: " + *json + "\n\n");
}

TEST(SseErrorEvent, NamedErrorWithTheBody) {
  EXPECT_EQ(SseErrorEvent(R"({"code":"UNAVAILABLE","message":"x"})"),
            "event: error\ndata: {\"code\":\"UNAVAILABLE\",\"message\":\"x\"}\n\n");
}

TEST(SseKeepAlive, IsAComment) { EXPECT_EQ(std::string(kSseKeepAlive), ": keep-alive\n\n"); }

TEST(EventIdOf, TheSeqOfJudgmentRecordsAndDeliveries) {
  infobus::judgment::v1::JudgmentRecord record;
  record.set_seq(18446744073709551615u);
  EXPECT_EQ(EventIdOf(record), "18446744073709551615");
  infobus::common::v1::Delivery delivery;
  delivery.set_seq(12);
  EXPECT_EQ(EventIdOf(delivery), "12");
  EXPECT_EQ(EventIdOf(infobus::judgment::v1::SubscribeRequest()), "");  // no seq field
}

}  // namespace
}  // namespace infobus::gateway
