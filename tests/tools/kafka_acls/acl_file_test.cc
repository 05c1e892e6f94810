// The ACL file's reader, and what deploy/kafka/acls.yaml grants (the broker-side check is
// tests/integration/kafka_lockdown_test.cc).
#include "tools/kafka_acls/acl_file.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "common/kafka/topics.h"

namespace infobus::kafka_acls {
namespace {

bool Grants(const std::vector<AclEntry>& entries, const std::string& principal,
            const std::string& operation, const std::string& resource, const std::string& name) {
  return std::any_of(entries.begin(), entries.end(), [&](const AclEntry& entry) {
    return entry.principal == principal && entry.operation == operation &&
           entry.resource == resource && entry.permission == "allow" &&
           (entry.pattern == "literal" ? entry.name == name : name.rfind(entry.name, 0) == 0);
  });
}

TEST(AclFile, ExpandsOperationsAndPrincipalsAndDropsDuplicates) {
  auto entries = ParseAclFile(R"(
principals:
  judgment:
    - {topic: t1, operations: [read, write]}
    - {topic: t1, operations: [read]}
    - {group: g-, pattern: prefixed, operations: [read]}
  "User:other": []
)");
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_TRUE(Grants(*entries, "User:judgment", "read", "topic", "t1"));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "write", "topic", "t1"));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "read", "group", "g-42"));
  EXPECT_FALSE(Grants(*entries, "User:judgment", "read", "topic", "t2"));
}

TEST(AclFile, RejectsWhatItCannotApply) {
  for (const char* bad : {
           "principals: []",
           "principals:\n  a:\n    - {topic: t, operations: [eat]}",
           "principals:\n  a:\n    - {topic: t, group: g, operations: [read]}",
           "principals:\n  a:\n    - {operations: [read]}",
           "principals:\n  a:\n    - {topic: t, operations: []}",
           "principals:\n  a:\n    - {topic: t, operations: [read], pattern: glob}",
           "principals:\n  a:\n    - {topic: t, operations: [read], host: 10.0.0.1}",
           "principals:\n  a: {topic: t}",
           "principals: [",
       }) {
    EXPECT_FALSE(ParseAclFile(bad).ok()) << bad;
  }
}

TEST(AclFile, TheDeployedFileGrantsEachServiceOnlyItsOwnTopics) {
  auto entries = LoadAclFile(std::string(INFOBUS_SOURCE_DIR) + "/deploy/kafka/acls.yaml");
  ASSERT_TRUE(entries.ok()) << entries.status();
  const kafka::Topics topics("");
  EXPECT_TRUE(Grants(*entries, "User:collection", "write", "topic", topics.events));
  EXPECT_FALSE(Grants(*entries, "User:collection", "read", "topic", topics.judgments));
  EXPECT_FALSE(Grants(*entries, "User:collection", "describe", "topic", topics.judgments));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "read", "topic", topics.events));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "read", "group", "infobus-judgment"));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "write", "topic", topics.judgments));
  EXPECT_TRUE(Grants(*entries, "User:judgment", "read", "group", topics.watchlists + "-reader-7"));
  EXPECT_FALSE(Grants(*entries, "User:judgment", "write", "topic", topics.events));
  EXPECT_TRUE(Grants(*entries, "User:dispatch", "read", "topic", topics.judgments));
  EXPECT_TRUE(Grants(*entries, "User:dispatch", "write", "topic", topics.dispatch_events));
  EXPECT_FALSE(Grants(*entries, "User:dispatch", "write", "topic", topics.events));
  EXPECT_FALSE(Grants(*entries, "User:dispatch", "read", "topic", topics.events));
  for (const AclEntry& entry : *entries) {
    EXPECT_NE(entry.operation, "all") << entry.ToString();
    EXPECT_NE(entry.principal, "User:gateway") << entry.ToString();
  }
}

// Supervision joins the facts of four topics in its own group and changes none of them: it
// writes only its access records.
// Supervision reads the four fact topics and the audit trail (who saw an item, what collection
// rejected); it writes only its access records (and its own facts topic); no other service
// reads the audit trail.
TEST(AclFile, TheDeployedFileLetsSupervisionReadItsFiveTopicsAndWriteOnlyAudit) {
  auto entries = LoadAclFile(std::string(INFOBUS_SOURCE_DIR) + "/deploy/kafka/acls.yaml");
  ASSERT_TRUE(entries.ok()) << entries.status();
  const kafka::Topics topics("");
  for (const std::string& topic : {topics.events, topics.judgments, topics.dispatch_events,
                                   topics.dead_letters, topics.audit}) {
    EXPECT_TRUE(Grants(*entries, "User:supervision", "read", "topic", topic)) << topic;
  }
  EXPECT_TRUE(Grants(*entries, "User:supervision", "read", "group", "infobus-supervision"));
  EXPECT_FALSE(Grants(*entries, "User:supervision", "read", "group", "infobus-dispatch"));
  EXPECT_TRUE(Grants(*entries, "User:supervision", "write", "topic", topics.audit));
  for (const std::string& topic :
       {topics.events, topics.judgments, topics.dispatch_events, topics.dead_letters,
        topics.watchlists, topics.hotspot_sightings, topics.judgment_changelog}) {
    EXPECT_FALSE(Grants(*entries, "User:supervision", "write", "topic", topic)) << topic;
  }
  EXPECT_FALSE(Grants(*entries, "User:supervision", "read", "topic", topics.watchlists));
  for (const char* service : {"collection", "judgment", "dispatch"}) {
    EXPECT_FALSE(Grants(*entries, std::string("User:") + service, "read", "topic", topics.audit))
        << service;
  }
}

// Every service creates the bus's topics it finds missing at startup (service_runtime.cc), so
// each of them may create every one; a service without that right fails its first start on an
// empty broker.
TEST(AclFile, TheDeployedFileLetsEveryServiceCreateEveryBusTopic) {
  auto entries = LoadAclFile(std::string(INFOBUS_SOURCE_DIR) + "/deploy/kafka/acls.yaml");
  ASSERT_TRUE(entries.ok()) << entries.status();
  const kafka::Topics topics("");
  for (const char* service : {"collection", "judgment", "dispatch", "supervision"}) {
    for (const std::string& topic :
         {topics.events, topics.judgments, topics.dead_letters, topics.watchlists,
          topics.dispatch_events, topics.hotspot_sightings, topics.judgment_changelog,
          topics.audit}) {
      EXPECT_TRUE(Grants(*entries, std::string("User:") + service, "create", "topic", topic))
          << service << " may not create " << topic;
    }
  }
}

}  // namespace
}  // namespace infobus::kafka_acls
