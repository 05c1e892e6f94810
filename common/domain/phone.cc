#include "common/domain/phone.h"

namespace infobus::domain {
namespace {

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsMobileShape(std::string_view s) {
  if (s.size() != 11 || s[0] != '1') return false;
  for (char c : s) {
    if (!IsAsciiDigit(c)) return false;
  }
  return true;
}

}  // namespace

absl::StatusOr<std::string> NormalizePhone(std::string_view raw) {
  std::string phone;
  for (char c : raw) {
    if (c != ' ' && c != '-' && c != '(' && c != ')') phone.push_back(c);
  }
  // The country prefix is dropped only before a mobile number; international landline forms omit
  // the trunk 0, so they cannot be told apart safely and are rejected instead.
  for (std::string_view prefix : {"+86", "0086", "86"}) {
    std::string_view rest(phone);
    if (rest.substr(0, prefix.size()) == prefix && IsMobileShape(rest.substr(prefix.size()))) {
      phone.erase(0, prefix.size());
      break;
    }
  }
  if (phone.empty()) return absl::InvalidArgumentError("phone number is empty");
  for (char c : phone) {
    if (!IsAsciiDigit(c)) {
      return absl::InvalidArgumentError("phone number may contain only digits");
    }
  }
  if (phone[0] == '1') {
    if (phone.size() != 11) {
      return absl::InvalidArgumentError("mobile number has " + std::to_string(phone.size()) +
                                        " digits, expected 11");
    }
    if (phone[1] < '3') {
      return absl::InvalidArgumentError("mobile prefix " + phone.substr(0, 2) + " is not assigned");
    }
    return phone;
  }
  if (phone[0] == '0') {
    if (phone.size() < 10 || phone.size() > 12) {
      return absl::InvalidArgumentError("landline number has " + std::to_string(phone.size()) +
                                        " digits, expected 10 to 12");
    }
    // "00" opens an international call, never a domestic area code.
    if (phone[1] == '0') return absl::InvalidArgumentError("area code cannot start with 00");
    return phone;
  }
  return absl::InvalidArgumentError("phone number must start with 1 (mobile) or 0 (landline)");
}

}  // namespace infobus::domain
