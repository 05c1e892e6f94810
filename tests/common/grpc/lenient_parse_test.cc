#include "common/grpc/lenient_parse.h"

#include <string>

#include "gtest/gtest.h"
#include "infobus/collection/v1/collection_service.pb.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus {
namespace {

using infobus::collection::v1::PublishRequest;
using infobus::common::v1::Event;

const std::string kBad("\xff\xfe", 2);

// Serialising keeps invalid UTF-8 (protobuf only logs it); parsing strictly refuses it.
std::string WithBadBytes(PublishRequest request) { return request.SerializeAsString(); }

PublishRequest Sample() {
  PublishRequest request;
  Event* event = request.add_events();
  event->set_event_id("e1");
  event->set_payload("fine");
  event->mutable_occurred_at()->set_seconds(1700000000);
  (*event->mutable_attributes())["room"] = "301";
  auto* subject = event->add_subjects();
  subject->set_type(infobus::common::v1::SUBJECT_TYPE_PHONE);
  subject->set_value("13800138000");
  *request.add_events() = *event;
  return request;
}

TEST(LenientParse, ValidBytesParseAsUsual) {
  const PublishRequest sample = Sample();
  PublishRequest parsed;
  ASSERT_TRUE(ParseLeniently(sample.SerializeAsString(), &parsed));
  EXPECT_EQ(parsed.SerializeAsString(), sample.SerializeAsString());
  EXPECT_FALSE(FindInvalidUtf8(parsed).has_value());
  EXPECT_TRUE(CheckUtf8(parsed).ok());
}

TEST(LenientParse, InvalidUtf8IsKeptAndItsFieldNamed) {
  PublishRequest sample = Sample();
  sample.mutable_events(1)->set_payload("x" + kBad);
  const std::string bytes = WithBadBytes(sample);
  PublishRequest strict;
  ASSERT_FALSE(strict.ParseFromString(bytes));  // what gRPC would have done
  PublishRequest parsed;
  ASSERT_TRUE(ParseLeniently(bytes, &parsed));
  ASSERT_EQ(parsed.events_size(), 2);
  EXPECT_EQ(parsed.events(1).payload(), "x" + kBad);
  EXPECT_EQ(parsed.events(0).subjects(0).value(), "13800138000");
  EXPECT_EQ(parsed.events(1).attributes().at("room"), "301");
  EXPECT_EQ(parsed.events(1).occurred_at().seconds(), 1700000000);
  EXPECT_EQ(FindInvalidUtf8(parsed), "events[1].payload");
  EXPECT_EQ(CheckUtf8(parsed).message(), "events[1].payload: not valid UTF-8");
}

TEST(LenientParse, PathsReachRepeatedNestedAndMapFields) {
  PublishRequest a = Sample();
  a.mutable_events(0)->mutable_subjects(0)->set_value(kBad);
  PublishRequest parsed;
  ASSERT_TRUE(ParseLeniently(WithBadBytes(a), &parsed));
  EXPECT_EQ(FindInvalidUtf8(parsed), "events[0].subjects[0].value");

  PublishRequest b = Sample();
  (*b.mutable_events(1)->mutable_attributes())["room"] = kBad;
  ASSERT_TRUE(ParseLeniently(WithBadBytes(b), &parsed));
  EXPECT_EQ(FindInvalidUtf8(parsed), "events[1].attributes[\"room\"]");

  PublishRequest c = Sample();
  (*c.mutable_events(1)->mutable_attributes())[kBad] = "v";
  ASSERT_TRUE(ParseLeniently(WithBadBytes(c), &parsed));
  ASSERT_TRUE(FindInvalidUtf8(parsed).has_value());
  EXPECT_EQ(FindInvalidUtf8(parsed)->rfind("events[1].attributes[", 0), 0u);

  PublishRequest d = Sample();
  d.mutable_events(0)->mutable_location()->set_place(kBad);
  ASSERT_TRUE(ParseLeniently(WithBadBytes(d), &parsed));
  EXPECT_EQ(FindInvalidUtf8(parsed, "request"), "request.events[0].location.place");
}

TEST(LenientParse, BytesThatAreNotTheMessageStillFail) {
  PublishRequest parsed;
  EXPECT_FALSE(ParseLeniently(std::string("\x0a\xff\xff\xff", 4), &parsed));  // bad length
}

}  // namespace
}  // namespace infobus
