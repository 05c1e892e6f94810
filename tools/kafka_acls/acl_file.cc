#include "tools/kafka_acls/acl_file.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace infobus::kafka_acls {
namespace {

bool OneOf(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

}  // namespace

const std::vector<std::string>& KnownOperations() {
  static const auto* operations = new std::vector<std::string>{
      "all",          "read", "write", "create", "delete", "alter", "describe", "describe_configs",
      "alter_configs"};
  return *operations;
}

std::string AclEntry::ToString() const {
  return absl::StrCat(permission, " ", principal, " ", operation, " on ", resource, " ", name,
                      pattern == "prefixed" ? "*" : "");
}

absl::StatusOr<std::vector<AclEntry>> ParseAclFile(const std::string& yaml) {
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("not YAML: ", e.what()));
  }
  if (!root.IsMap() || !root["principals"] || !root["principals"].IsMap()) {
    return absl::InvalidArgumentError("the file needs a map 'principals: {NAME: [ACL, ...]}'");
  }
  std::set<AclEntry> entries;
  try {
    for (const auto& principal : root["principals"]) {
      std::string name = principal.first.as<std::string>();
      const std::string user = name.find(':') == std::string::npos ? "User:" + name : name;
      if (principal.second.IsNull()) continue;  // a principal that may do nothing
      if (!principal.second.IsSequence()) {
        return absl::InvalidArgumentError(absl::StrCat(name, ": a list of ACLs"));
      }
      int index = 0;
      for (const YAML::Node& acl : principal.second) {
        const std::string where = absl::StrCat(name, "[", index++, "]");
        if (!acl.IsMap()) return absl::InvalidArgumentError(where + ": a map");
        AclEntry entry;
        entry.principal = user;
        int resources = 0;
        for (const std::string resource : {"topic", "group"}) {
          if (!acl[resource]) continue;
          ++resources;
          entry.resource = resource;
          entry.name = acl[resource].as<std::string>();
        }
        if (resources != 1 || entry.name.empty()) {
          return absl::InvalidArgumentError(where +
                                            ": exactly one of 'topic: NAME', 'group: NAME'");
        }
        entry.pattern = acl["pattern"] ? acl["pattern"].as<std::string>() : "literal";
        if (!OneOf(entry.pattern, {"literal", "prefixed"})) {
          return absl::InvalidArgumentError(where + ": pattern is literal or prefixed");
        }
        entry.permission = acl["permission"] ? acl["permission"].as<std::string>() : "allow";
        if (!OneOf(entry.permission, {"allow", "deny"})) {
          return absl::InvalidArgumentError(where + ": permission is allow or deny");
        }
        if (!acl["operations"] || !acl["operations"].IsSequence() ||
            acl["operations"].size() == 0) {
          return absl::InvalidArgumentError(where + ": operations: [read, write, ...]");
        }
        for (const YAML::Node& operation : acl["operations"]) {
          entry.operation = operation.as<std::string>();
          if (!OneOf(entry.operation, KnownOperations())) {
            return absl::InvalidArgumentError(
                absl::StrCat(where, ": unknown operation '", entry.operation, "' (",
                             absl::StrJoin(KnownOperations(), ", "), ")"));
          }
          entries.insert(entry);
        }
        for (const auto& key : acl) {
          const std::string k = key.first.as<std::string>();
          if (!OneOf(k, {"topic", "group", "pattern", "permission", "operations"})) {
            return absl::InvalidArgumentError(absl::StrCat(where, ": unknown key '", k, "'"));
          }
        }
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("bad ACL file: ", e.what()));
  }
  return std::vector<AclEntry>(entries.begin(), entries.end());
}

absl::StatusOr<std::vector<AclEntry>> LoadAclFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  auto entries = ParseAclFile(text.str());
  if (!entries.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", entries.status().message()));
  }
  return entries;
}

}  // namespace infobus::kafka_acls
