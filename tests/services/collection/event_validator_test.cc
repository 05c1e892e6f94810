#include "services/collection/event_validator.h"

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/util/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "infobus/common/v1/event.pb.h"

namespace infobus::collection {
namespace {

using infobus::common::v1::Event;
using infobus::common::v1::Subject;
using ::testing::HasSubstr;

const absl::Time kNow = absl::FromUnixSeconds(1700000000);  // 2023-11-14T22:13:20Z
constexpr char kPrefix[] = "events[3]";

// A valid lodging check-in in Fusui county, with subjects in raw (un-normalised) form.
Event ValidEvent() {
  Event event;
  event.set_event_id("evt-0001");
  event.set_source_id("lodging-gx");
  event.set_county_code("451421");
  event.set_kind("lodging.checkin");
  *event.mutable_occurred_at() = ToProtoTimestamp(kNow - absl::Minutes(3));
  Subject* id = event.add_subjects();
  id->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  id->set_value("11010519491231002x");
  Subject* plate = event.add_subjects();
  plate->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  plate->set_value("桂f·A1234");
  (*event.mutable_attributes())["room"] = "301";
  (*event.mutable_attributes())["hotel"] = "扶绥宾馆";
  event.set_payload("guest checked in at 21:40");
  event.set_trace_id("4bf92f3577b34da6a3ce929d0e0e4736");  // ignored on input
  *event.mutable_ingested_at() = ToProtoTimestamp(kNow - absl::Hours(1));
  return event;
}

// Validates `event` with the "events[3]" prefix and returns the rejected field, or "" when valid.
std::string RejectedField(Event event, const ValidationLimits& limits = ValidationLimits()) {
  std::optional<FieldError> error = ValidateAndNormalize(event, limits, kNow, kPrefix);
  if (!error.has_value()) return "";
  EXPECT_FALSE(error->reason.empty()) << error->field;
  return error->field;
}

TEST(EventValidator, ValidEventPassesAndIsNormalised) {
  Event event = ValidEvent();
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
  ASSERT_FALSE(error.has_value()) << error->field << ": " << error->reason;

  ASSERT_EQ(event.subjects_size(), 2);
  EXPECT_EQ(event.subjects(0).type(), infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  EXPECT_EQ(event.subjects(0).value(), "11010519491231002X");
  EXPECT_EQ(event.subjects(1).type(), infobus::common::v1::SUBJECT_TYPE_PLATE);
  EXPECT_EQ(event.subjects(1).value(), "桂FA1234");
  EXPECT_EQ(event.location().jurisdiction_code(), "451421");
  EXPECT_EQ(event.classification(), infobus::common::v1::CLASSIFICATION_INTERNAL);
  EXPECT_TRUE(event.trace_id().empty());
  EXPECT_FALSE(event.has_ingested_at());
  // Everything else is kept as published.
  EXPECT_EQ(event.event_id(), "evt-0001");
  EXPECT_EQ(event.source_id(), "lodging-gx");
  EXPECT_EQ(event.county_code(), "451421");
  EXPECT_EQ(event.kind(), "lodging.checkin");
  EXPECT_EQ(FromProtoTimestamp(event.occurred_at()), kNow - absl::Minutes(3));
  EXPECT_EQ(event.attributes().at("room"), "301");
  EXPECT_EQ(event.payload(), "guest checked in at 21:40");
}

TEST(EventValidator, FifteenDigitIdNumberIsUpgradedToEighteen) {
  Event event = ValidEvent();
  event.mutable_subjects(0)->set_value("110105491231002");
  ASSERT_FALSE(ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix).has_value());
  EXPECT_EQ(event.subjects(0).value(), "11010519491231002X");
}

TEST(EventValidator, ExplicitClassificationAndJurisdictionAreKept) {
  Event event = ValidEvent();
  event.set_classification(infobus::common::v1::CLASSIFICATION_SECRET);
  event.mutable_location()->set_jurisdiction_code("4514210003");  // a police station in Fusui
  event.mutable_location()->set_has_coordinates(true);
  event.mutable_location()->set_lat(22.63);
  event.mutable_location()->set_lon(107.90);
  ASSERT_FALSE(ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix).has_value());
  EXPECT_EQ(event.classification(), infobus::common::v1::CLASSIFICATION_SECRET);
  EXPECT_EQ(event.location().jurisdiction_code(), "4514210003");
}

TEST(EventValidator, FieldPathHasNoPrefixWhenPrefixIsEmpty) {
  Event event = ValidEvent();
  event.clear_event_id();
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, "");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "event_id");
}

TEST(EventValidator, MissingEventIdIsRejected) {
  Event event = ValidEvent();
  event.clear_event_id();
  EXPECT_EQ(RejectedField(event), "events[3].event_id");
  event.set_event_id("evt 0001");  // a space is not printable-without-space ASCII
  EXPECT_EQ(RejectedField(event), "events[3].event_id");
}

TEST(EventValidator, MissingSourceIdIsRejected) {
  Event event = ValidEvent();
  event.clear_source_id();
  EXPECT_EQ(RejectedField(event), "events[3].source_id");
}

TEST(EventValidator, MalformedCountyCodesAreRejected) {
  for (const char* code : {"4514", "45142a", "990101", "450000", "451400", ""}) {
    Event event = ValidEvent();
    event.set_county_code(code);
    EXPECT_EQ(RejectedField(event), "events[3].county_code") << "county code '" << code << "'";
  }
}

TEST(EventValidator, CountyCodeReasonSaysWhatIsWrong) {
  Event event = ValidEvent();
  event.set_county_code("990101");
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
  ASSERT_TRUE(error.has_value());
  EXPECT_THAT(error->reason, HasSubstr("99"));
}

TEST(EventValidator, BadKindIsRejected) {
  for (const char* kind :
       {"Lodging Checkin", "lodging checkin", "", ".lodging", "1lodging", "lodging-checkin"}) {
    Event event = ValidEvent();
    event.set_kind(kind);
    EXPECT_EQ(RejectedField(event), "events[3].kind") << "kind '" << kind << "'";
  }
  Event event = ValidEvent();
  event.set_kind("netcafe.login_v2");
  EXPECT_EQ(RejectedField(event), "");
}

TEST(EventValidator, MissingOccurredAtIsRejected) {
  Event event = ValidEvent();
  event.clear_occurred_at();
  EXPECT_EQ(RejectedField(event), "events[3].occurred_at");
}

// The reason for a given but impossible time says what is wrong with it, not "is required".
std::string OccurredAtReason(int64_t seconds, int32_t nanos = 0) {
  Event event = ValidEvent();
  event.mutable_occurred_at()->set_seconds(seconds);
  event.mutable_occurred_at()->set_nanos(nanos);
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
  if (!error.has_value()) return "";
  EXPECT_EQ(error->field, "events[3].occurred_at");
  return error->reason;
}

TEST(EventValidator, OccurredAtBeforeNineteenSeventyOrOutOfRangeSaysWhy) {
  EXPECT_THAT(OccurredAtReason(-1), HasSubstr("1969-12-31T23:59:59Z"));
  EXPECT_THAT(OccurredAtReason(-1), HasSubstr("after 1970-01-01"));
  EXPECT_THAT(OccurredAtReason(0), HasSubstr("after 1970-01-01"));
  EXPECT_THAT(OccurredAtReason(-62135596800), HasSubstr("0001-01-01T00:00:00Z"));  // year 1
  EXPECT_THAT(OccurredAtReason(-62135596801), HasSubstr("outside the Timestamp range"));
  EXPECT_THAT(OccurredAtReason(INT64_MIN), HasSubstr("outside the Timestamp range"));
  EXPECT_THAT(OccurredAtReason(253402300800), HasSubstr("outside the Timestamp range"));
  EXPECT_THAT(OccurredAtReason(1699999000, -1), HasSubstr("nanos -1"));
  EXPECT_THAT(OccurredAtReason(1699999000, 1000000000), HasSubstr("nanos 1000000000"));
  for (int64_t seconds : {int64_t{-1}, int64_t{0}, int64_t{-62135596801}}) {
    EXPECT_THAT(OccurredAtReason(seconds), ::testing::Not(HasSubstr("required"))) << seconds;
  }
  EXPECT_EQ(OccurredAtReason(1), "");
}

TEST(EventValidator, OccurredAtBeyondFutureSkewIsRejected) {
  ValidationLimits limits;
  limits.max_future_skew = absl::Minutes(5);
  Event event = ValidEvent();
  *event.mutable_occurred_at() = ToProtoTimestamp(kNow + absl::Minutes(5) + absl::Seconds(1));
  EXPECT_EQ(RejectedField(event, limits), "events[3].occurred_at");

  // Exactly at the limit is still accepted; so is a moderate skew.
  *event.mutable_occurred_at() = ToProtoTimestamp(kNow + absl::Minutes(5));
  EXPECT_EQ(RejectedField(event, limits), "");
  *event.mutable_occurred_at() = ToProtoTimestamp(kNow + absl::Minutes(1));
  EXPECT_EQ(RejectedField(event, limits), "");
}

TEST(EventValidator, SubjectWithUnspecifiedTypeIsRejected) {
  Event event = ValidEvent();
  event.mutable_subjects(0)->set_type(infobus::common::v1::SUBJECT_TYPE_UNSPECIFIED);
  EXPECT_EQ(RejectedField(event), "events[3].subjects[0].type");
}

TEST(EventValidator, IdNumberWithBadCheckCharacterIsRejectedAtItsIndex) {
  Event event = ValidEvent();
  // subjects[0] a valid plate, subjects[1] an id number whose check character should be X.
  event.mutable_subjects(0)->set_type(infobus::common::v1::SUBJECT_TYPE_PLATE);
  event.mutable_subjects(0)->set_value("桂F12345");
  event.mutable_subjects(1)->set_type(infobus::common::v1::SUBJECT_TYPE_ID_NUMBER);
  event.mutable_subjects(1)->set_value("110105194912310021");
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "events[3].subjects[1].value");
  EXPECT_THAT(error->reason, HasSubstr("check character"));
}

TEST(EventValidator, TooManySubjectsAreRejected) {
  ValidationLimits limits;
  limits.max_subjects = 1;
  EXPECT_EQ(RejectedField(ValidEvent(), limits), "events[3].subjects");
}

TEST(EventValidator, OversizedPayloadIsRejected) {
  ValidationLimits limits;
  limits.max_payload_bytes = 10;
  Event event = ValidEvent();
  event.set_payload("12345678901");
  EXPECT_EQ(RejectedField(event, limits), "events[3].payload");
  event.set_payload("1234567890");  // exactly at the limit
  EXPECT_EQ(RejectedField(event, limits), "");
}

TEST(EventValidator, PayloadThatIsNotUtf8IsRejected) {
  Event event = ValidEvent();
  event.set_payload("bad \xff byte");
  EXPECT_EQ(RejectedField(event), "events[3].payload");
}

TEST(EventValidator, TooManyAttributesAreRejected) {
  ValidationLimits limits;
  limits.max_attributes = 2;
  Event event = ValidEvent();
  EXPECT_EQ(RejectedField(event, limits), "");  // exactly two
  (*event.mutable_attributes())["floor"] = "3";
  EXPECT_EQ(RejectedField(event, limits), "events[3].attributes");
}

TEST(EventValidator, OversizedAttributeValueIsRejectedByKey) {
  ValidationLimits limits;
  limits.max_attribute_bytes = 4;
  Event event = ValidEvent();
  event.mutable_attributes()->clear();
  (*event.mutable_attributes())["room"] = "30105";
  EXPECT_EQ(RejectedField(event, limits), "events[3].attributes[room]");
}

TEST(EventValidator, JurisdictionNotExtendingTheCountyIsRejected) {
  for (const char* code : {"451422", "4514", "45", "45142100a1", "1101051234"}) {
    Event event = ValidEvent();
    event.mutable_location()->set_jurisdiction_code(code);
    EXPECT_EQ(RejectedField(event), "events[3].location.jurisdiction_code")
        << "jurisdiction '" << code << "'";
  }
  Event event = ValidEvent();
  event.mutable_location()->set_jurisdiction_code("4514219");
  EXPECT_EQ(RejectedField(event), "");
}

TEST(EventValidator, LatitudeBeyondNinetyIsRejected) {
  Event event = ValidEvent();
  event.mutable_location()->set_has_coordinates(true);
  event.mutable_location()->set_lat(91);
  event.mutable_location()->set_lon(107.9);
  EXPECT_EQ(RejectedField(event), "events[3].location");

  event.mutable_location()->set_lat(-90);
  event.mutable_location()->set_lon(181);
  EXPECT_EQ(RejectedField(event), "events[3].location");

  event.mutable_location()->set_lon(180);
  EXPECT_EQ(RejectedField(event), "");
}

TEST(EventValidator, CompartmentsAreCheckedAndSorted) {
  Event event = ValidEvent();
  event.add_compartments("informant-42");
  event.add_compartments("border");
  event.add_compartments("drugs_unit");
  ASSERT_FALSE(ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix).has_value());
  EXPECT_THAT(event.compartments(), ::testing::ElementsAre("border", "drugs_unit", "informant-42"));
  // None is fine.
  EXPECT_EQ(RejectedField(ValidEvent()), "");
}

TEST(EventValidator, BadCompartmentIsRejectedAtItsIndex) {
  for (const std::string& bad : {std::string(), std::string("Border"), std::string("a b"),
                                 std::string("a.b"), std::string("边境"), std::string(33, 'a')}) {
    Event event = ValidEvent();
    event.add_compartments("border");
    event.add_compartments(bad);
    std::optional<FieldError> error =
        ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
    ASSERT_TRUE(error.has_value()) << "'" << bad << "' was accepted";
    EXPECT_EQ(error->field, "events[3].compartments[1]") << bad;
    EXPECT_THAT(error->reason, HasSubstr("a-z")) << bad;
  }
  Event longest = ValidEvent();
  longest.add_compartments(std::string(32, 'z'));
  EXPECT_EQ(RejectedField(longest), "");
}

TEST(EventValidator, RepeatedCompartmentIsRejectedAtItsSecondIndex) {
  Event event = ValidEvent();
  event.add_compartments("border");
  event.add_compartments("informant");
  event.add_compartments("border");
  std::optional<FieldError> error = ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->field, "events[3].compartments[2]");
  EXPECT_THAT(error->reason, HasSubstr("'border' is listed twice"));
}

TEST(EventValidator, MoreThanEightCompartmentsAreRejected) {
  Event event = ValidEvent();
  for (int i = 0; i < 8; ++i) event.add_compartments(absl::StrCat("c", i));
  EXPECT_EQ(RejectedField(event), "");
  event.add_compartments("c8");
  EXPECT_EQ(RejectedField(event), "events[3].compartments");
}

TEST(EventValidator, FirstProblemIsReportedInFieldOrder) {
  Event event = ValidEvent();
  event.clear_source_id();
  event.set_kind("Bad Kind");
  EXPECT_EQ(RejectedField(event), "events[3].source_id");
}

// Every string field of an Event, at every depth, holding invalid UTF-8 (as the lenient request
// parser lets through, common/grpc/lenient_parse.h) is rejected naming that field, or cleared
// (the stamps). Walks the descriptors, so a string field added to the protos without a check
// fails here.
TEST(EventValidator, InvalidUtf8InAnyStringFieldIsRejectedNamingTheField) {
  const std::string bad("\xff\xfe", 2);
  struct Case {
    std::string field;  // the path the rejection must name, "" for a field that is cleared
    std::function<void(Event&)> spoil;
  };
  std::vector<Case> cases;
  auto top = [&](const std::string& name, std::string expected) {
    cases.push_back({expected, [name, bad](Event& event) {
                       const auto* field = Event::descriptor()->FindFieldByName(name);
                       event.GetReflection()->SetString(&event, field, bad);
                     }});
  };
  std::set<std::string> covered;
  for (const char* name : {"event_id", "source_id", "county_code", "kind", "payload"}) {
    top(name, absl::StrCat("events[3].", name));
    covered.insert(absl::StrCat("Event.", name));
  }
  top("trace_id", "");
  covered.insert("Event.trace_id");
  cases.push_back({"events[3].location.jurisdiction_code", [bad](Event& event) {
                     event.mutable_location()->set_jurisdiction_code("451421" + bad);
                   }});
  cases.push_back({"events[3].location.place",
                   [bad](Event& event) { event.mutable_location()->set_place(bad); }});
  covered.insert({"Location.jurisdiction_code", "Location.place"});
  cases.push_back({"events[3].subjects[1].value",
                   [bad](Event& event) { event.mutable_subjects(1)->set_value(bad); }});
  covered.insert("Subject.value");
  cases.push_back({"events[3].attributes[room]",
                   [bad](Event& event) { (*event.mutable_attributes())["room"] = bad; }});
  cases.push_back(
      {"events[3].attributes", [bad](Event& event) { (*event.mutable_attributes())[bad] = "x"; }});
  covered.insert("Event.attributes");
  cases.push_back({"events[3].compartments[1]", [bad](Event& event) {
                     event.add_compartments("border");
                     event.add_compartments("informant" + bad);
                   }});
  covered.insert("Event.compartments");

  for (const Case& c : cases) {
    Event event = ValidEvent();
    c.spoil(event);
    std::optional<FieldError> error =
        ValidateAndNormalize(event, ValidationLimits(), kNow, kPrefix);
    if (c.field.empty()) {
      EXPECT_FALSE(error.has_value()) << error->field;
      EXPECT_TRUE(event.trace_id().empty());
      continue;
    }
    ASSERT_TRUE(error.has_value()) << c.field << " was accepted";
    EXPECT_EQ(error->field, c.field);
  }
  // Every string field reachable from Event is one of the cases above.
  std::function<void(const google::protobuf::Descriptor*)> walk =
      [&](const google::protobuf::Descriptor* type) {
        for (int i = 0; i < type->field_count(); ++i) {
          const auto* field = type->field(i);
          const std::string name = absl::StrCat(type->name(), ".", field->name());
          if (field->is_map()) {
            EXPECT_TRUE(covered.count(name)) << name << " has no invalid-UTF-8 case";
          } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
            EXPECT_TRUE(covered.count(name)) << name << " has no invalid-UTF-8 case";
          } else if (field->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE &&
                     field->message_type()->file()->package() == "infobus.common.v1") {
            walk(field->message_type());
          }
        }
      };
  walk(Event::descriptor());
}

}  // namespace
}  // namespace infobus::collection
