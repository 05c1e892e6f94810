#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/domain/id_number.h"
#include "common/domain/jurisdiction.h"
#include "common/domain/name.h"
#include "common/domain/phone.h"
#include "common/domain/plate.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace infobus::domain {
namespace {

using ::testing::HasSubstr;

// Independent ISO 7064 MOD 11-2, written from the weight formula 2^(17-i) mod 11 so that it does
// not share the library's table.
char TestCheckChar(std::string_view first17) {
  int sum = 0;
  int weight = 1;
  for (int i = 16; i >= 0; --i) {
    weight = weight * 2 % 11;
    sum += (first17[i] - '0') * weight;
  }
  return "10X98765432"[sum % 11];
}

std::string WithCheck(std::string_view first17) {
  return std::string(first17) + TestCheckChar(first17);
}

// Flips the check character to a different, still well-formed one.
std::string WithWrongCheck(std::string_view first17) {
  const char good = TestCheckChar(first17);
  return std::string(first17) + (good == '0' ? '1' : '0');
}

void ExpectInvalid(const absl::StatusOr<std::string>& result, std::string_view reason) {
  ASSERT_FALSE(result.ok()) << "unexpectedly accepted as " << *result;
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(result.status().message()), HasSubstr(std::string(reason)));
}

void ExpectInvalid(const absl::Status& status, std::string_view reason) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), HasSubstr(std::string(reason)));
}

// --- IdNumber ---

TEST(IdNumber, TestHelperMatchesPublishedExample) {
  EXPECT_EQ(WithCheck("11010519491231002"), "11010519491231002X");
}

TEST(IdNumber, AcceptsPublishedExample) {
  EXPECT_EQ(NormalizeIdNumber("11010519491231002X").value(), "11010519491231002X");
}

TEST(IdNumber, UpperCasesXAndStripsSeparators) {
  EXPECT_EQ(NormalizeIdNumber("11010519491231002x").value(), "11010519491231002X");
  EXPECT_EQ(NormalizeIdNumber(" 110105-19491231-002x\t").value(), "11010519491231002X");
}

TEST(IdNumber, AcceptsComputedNumbers) {
  for (std::string_view first17 : {"45142120000229123", "65010219000101001", "82000020991231999",
                                   "37020219840615555", "71000019991130000"}) {
    const std::string id = WithCheck(first17);
    EXPECT_EQ(NormalizeIdNumber(id).value(), id);
  }
}

TEST(IdNumber, RejectsWrongCheckCharacter) {
  ExpectInvalid(NormalizeIdNumber("110105194912310021"), "check character is 1, expected X");
  ExpectInvalid(NormalizeIdNumber("110105194912310020"), "check character is 0, expected X");
  for (std::string_view first17 : {"45142120000229123", "37020219840615555"}) {
    ExpectInvalid(NormalizeIdNumber(WithWrongCheck(first17)), "check character is");
  }
}

TEST(IdNumber, RejectsTransposedDigits) {
  // Swapping two digits changes the MOD 11-2 sum, so the original check no longer fits.
  ExpectInvalid(NormalizeIdNumber("11010519491213002X"), "expected");
}

TEST(IdNumber, RejectsBadLengthAndCharacters) {
  ExpectInvalid(NormalizeIdNumber(""), "has 0 characters");
  ExpectInvalid(NormalizeIdNumber("11010519491231002"), "has 17 characters");
  ExpectInvalid(NormalizeIdNumber("11010519491231002X1"), "has 19 characters");
  ExpectInvalid(NormalizeIdNumber("1101051949123100XX"), "character 17 is not a digit");
  ExpectInvalid(NormalizeIdNumber("11010519491231002Y"), "check character must be a digit or X");
  ExpectInvalid(NormalizeIdNumber("1101051949123１002X"), "characters");  // Full-width digit.
  ExpectInvalid(NormalizeIdNumber(std::string("110105\0"
                                              "9491231002X",
                                              18)),
                "not a digit");
}

TEST(IdNumber, RejectsUnknownProvince) {
  for (std::string_view first17 : {"00010119900101001", "16010119900101001", "47010119900101001",
                                   "72010119900101001", "83010119900101001", "99010119900101001"}) {
    ExpectInvalid(NormalizeIdNumber(WithCheck(first17)), "province code");
  }
}

TEST(IdNumber, RejectsImpossibleBirthDates) {
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142119000229123")), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120010229123")), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120000230123")), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120000431123")), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120000100123")), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120001301123")), "no month 13");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142120000001123")), "no month 0");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142118991231123")), "birth year 1899");
  ExpectInvalid(NormalizeIdNumber(WithCheck("45142121000101123")), "birth year 2100");
}

TEST(IdNumber, UpgradesFifteenDigitNumbers) {
  EXPECT_EQ(NormalizeIdNumber("110105491231002").value(), "11010519491231002X");
  EXPECT_EQ(NormalizeIdNumber("451421-960229-123").value(), WithCheck("45142119960229123"));
  EXPECT_EQ(NormalizeIdNumber("370202840615555").value(), WithCheck("37020219840615555"));
}

TEST(IdNumber, RejectsBadFifteenDigitNumbers) {
  // 1900 is not a leap year, and old numbers always mean 19YY.
  ExpectInvalid(NormalizeIdNumber("451421000229123"), "not a calendar date");
  ExpectInvalid(NormalizeIdNumber("451421971301123"), "no month 13");
  ExpectInvalid(NormalizeIdNumber("99010590123100X"), "not a digit");
  ExpectInvalid(NormalizeIdNumber("990105491231002"), "province code 99");
}

// --- Plate ---

TEST(Plate, AcceptsCanonicalForms) {
  EXPECT_EQ(NormalizePlate("桂F12345").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("京A9Z8Y7").value(), "京A9Z8Y7");
  EXPECT_EQ(NormalizePlate("粤BD12345").value(), "粤BD12345");  // New-energy: 6 characters.
  EXPECT_EQ(NormalizePlate("新Z12345").value(), "新Z12345");
}

TEST(Plate, NormalisesSeparatorsCaseAndFullWidth) {
  EXPECT_EQ(NormalizePlate("桂f·12345").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("桂F 12345").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate(" 桂 F - 123.45 ").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("桂F•12345").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("桂F・12345").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("桂F　12345").value(), "桂F12345");  // U+3000.
  EXPECT_EQ(NormalizePlate("桂ｆ１２３４５").value(), "桂F12345");
  EXPECT_EQ(NormalizePlate("沪Ａａ１２ｂ３").value(), "沪AA12B3");
}

TEST(Plate, AcceptsSuffixInPlaceOfLastCharacter) {
  EXPECT_EQ(NormalizePlate("桂F1234挂").value(), "桂F1234挂");
  EXPECT_EQ(NormalizePlate("京a·1234学").value(), "京A1234学");
  EXPECT_EQ(NormalizePlate("粤Z1234港").value(), "粤Z1234港");
  EXPECT_EQ(NormalizePlate("粤Z1234澳").value(), "粤Z1234澳");
  EXPECT_EQ(NormalizePlate("川A1234警").value(), "川A1234警");
  EXPECT_EQ(NormalizePlate("沪A1234领").value(), "沪A1234领");
}

TEST(Plate, RejectsWrongSuffixPlacement) {
  ExpectInvalid(NormalizePlate("桂F12345挂"), "4 characters before the suffix");
  ExpectInvalid(NormalizePlate("桂F123挂"), "4 characters before the suffix");
  ExpectInvalid(NormalizePlate("桂F12挂45"), "'挂' is not a letter or digit");
}

TEST(Plate, RejectsBadProvinceAndCity) {
  ExpectInvalid(NormalizePlate(""), "plate is empty");
  ExpectInvalid(NormalizePlate(" ·"), "plate is empty");
  ExpectInvalid(NormalizePlate("AF12345"), "'A' is not a province abbreviation");
  ExpectInvalid(NormalizePlate("广F12345"), "'广' is not a province abbreviation");
  ExpectInvalid(NormalizePlate("桂112345"), "city letter");
  ExpectInvalid(NormalizePlate("桂"), "city letter");
  ExpectInvalid(NormalizePlate("\t桂F12345"), "'\\x09' is not a province abbreviation");
}

TEST(Plate, RejectsBadTailLength) {
  ExpectInvalid(NormalizePlate("桂F1234"), "4 characters after the city letter");
  ExpectInvalid(NormalizePlate("桂F1234567"), "7 characters after the city letter");
  ExpectInvalid(NormalizePlate("桂F"), "0 characters after the city letter");
}

TEST(Plate, RejectsIAndOAndOtherCharacters) {
  ExpectInvalid(NormalizePlate("桂FI2345"), "'I' is not used on plates");
  ExpectInvalid(NormalizePlate("桂F1234o"), "'O' is not used on plates");
  ExpectInvalid(NormalizePlate("桂F12_45"), "'_' is not a letter or digit");
  ExpectInvalid(NormalizePlate("桂F1234｀"), "'｀' is not a letter or digit");  // U+FF40.
  ExpectInvalid(NormalizePlate("桂F1234＠"), "'＠' is not a letter or digit");  // U+FF20.
  ExpectInvalid(NormalizePlate("桂F12桂45"), "'桂' is not a letter or digit");
}

TEST(Plate, RejectsInvalidUtf8) {
  ExpectInvalid(NormalizePlate("\xE6\xA1"), "not valid UTF-8");             // Truncated 桂.
  ExpectInvalid(NormalizePlate("桂F1234\xFF"), "not valid UTF-8");          // Never a UTF-8 byte.
  ExpectInvalid(NormalizePlate("\xC0\xA0桂F12345"), "not valid UTF-8");     // Overlong space.
  ExpectInvalid(NormalizePlate("桂F1234\xED\xA0\x80"), "not valid UTF-8");  // Surrogate.
  ExpectInvalid(NormalizePlate("\xF0\x8F\xBF\xBF"), "not valid UTF-8");     // Overlong U+FFFF.
  ExpectInvalid(NormalizePlate("\xF4\x90\x80\x80"), "not valid UTF-8");     // > U+10FFFF.
  // A view that ends inside a character must not read the bytes beyond it.
  ExpectInvalid(NormalizePlate(std::string_view("桂F12345", 2)), "not valid UTF-8");
}

// --- Phone ---

TEST(Phone, AcceptsMobileNumbers) {
  EXPECT_EQ(NormalizePhone("13812345678").value(), "13812345678");
  EXPECT_EQ(NormalizePhone("199 1234 5678").value(), "19912345678");
  EXPECT_EQ(NormalizePhone("138-1234-5678").value(), "13812345678");
}

TEST(Phone, DropsCountryPrefixBeforeMobile) {
  EXPECT_EQ(NormalizePhone("+86 138 1234 5678").value(), "13812345678");
  EXPECT_EQ(NormalizePhone("(+86)13812345678").value(), "13812345678");
  EXPECT_EQ(NormalizePhone("0086-13812345678").value(), "13812345678");
  EXPECT_EQ(NormalizePhone("8613812345678").value(), "13812345678");
}

TEST(Phone, AcceptsLandlines) {
  EXPECT_EQ(NormalizePhone("(010) 1234-5678").value(), "01012345678");
  EXPECT_EQ(NormalizePhone("0771-1234567").value(), "07711234567");
  EXPECT_EQ(NormalizePhone("0771-12345678").value(), "077112345678");
  EXPECT_EQ(NormalizePhone("0101234567").value(), "0101234567");
}

TEST(Phone, RejectsBadNumbers) {
  ExpectInvalid(NormalizePhone(""), "empty");
  ExpectInvalid(NormalizePhone(" ()-"), "empty");
  ExpectInvalid(NormalizePhone("1381234567"), "has 10 digits, expected 11");
  ExpectInvalid(NormalizePhone("138123456789"), "has 12 digits, expected 11");
  ExpectInvalid(NormalizePhone("12812345678"), "mobile prefix 12 is not assigned");
  ExpectInvalid(NormalizePhone("10812345678"), "mobile prefix 10 is not assigned");
  ExpectInvalid(NormalizePhone("010123456"), "has 9 digits, expected 10 to 12");
  ExpectInvalid(NormalizePhone("0771123456789"), "has 13 digits, expected 10 to 12");
  ExpectInvalid(NormalizePhone("0012345678"), "cannot start with 00");
  ExpectInvalid(NormalizePhone("23812345678"), "must start with 1");
  ExpectInvalid(NormalizePhone("1381234567a"), "only digits");
  ExpectInvalid(NormalizePhone("138\t12345678"), "only digits");
  ExpectInvalid(NormalizePhone("１３８１２３４５６７８"), "only digits");
}

TEST(Phone, KeepsPrefixWhenNotFollowedByMobile) {
  // "+86" before a landline is not stripped, so the '+' is reported.
  ExpectInvalid(NormalizePhone("+86 771 1234567"), "only digits");
  // The prefix goes before any 11 digits starting with 1; the mobile check then names the cause.
  ExpectInvalid(NormalizePhone("+8612812345678"), "mobile prefix 12 is not assigned");
  // "86" before 11 digits not starting with 1 is part of a (too long) number.
  ExpectInvalid(NormalizePhone("8623812345678"), "must start with 1");
  ExpectInvalid(NormalizePhone("+86"), "only digits");
}

// --- Name ---

TEST(Name, TrimsAndCollapsesWhitespace) {
  EXPECT_EQ(NormalizeName("张三").value(), "张三");
  EXPECT_EQ(NormalizeName("  张三 \t").value(), "张三");
  EXPECT_EQ(NormalizeName("　张　三　").value(), "张 三");
  EXPECT_EQ(NormalizeName("John \t\n  Smith").value(), "John Smith");
  EXPECT_EQ(NormalizeName("阿卜杜·买买提").value(), "阿卜杜·买买提");
}

TEST(Name, RejectsEmpty) {
  ExpectInvalid(NormalizeName(""), "name is empty");
  ExpectInvalid(NormalizeName(" \t　\r\n"), "name is empty");
}

TEST(Name, EnforcesByteLimitAfterNormalisation) {
  const std::string at_limit(kMaxNameBytes, 'a');
  EXPECT_EQ(NormalizeName("  " + at_limit + "  ").value(), at_limit);
  ExpectInvalid(NormalizeName(at_limit + "b"), "name is 65 bytes, limit is 64");
  // 22 CJK characters are 66 bytes.
  std::string cjk;
  for (int i = 0; i < 22; ++i) cjk += "张";
  ExpectInvalid(NormalizeName(cjk), "name is 66 bytes");
}

TEST(Name, RejectsControlCharactersAndInvalidUtf8) {
  ExpectInvalid(NormalizeName(std::string("张\0三", 7)), "control character");
  ExpectInvalid(NormalizeName("张\x1B三"), "control character");
  ExpectInvalid(NormalizeName("张\x7F三"), "control character");
  ExpectInvalid(NormalizeName("张\xC2\x85三"), "control character");  // U+0085.
  ExpectInvalid(NormalizeName("张\xE4\xB8"), "not valid UTF-8");
  ExpectInvalid(NormalizeName("\x80"), "not valid UTF-8");
  ExpectInvalid(NormalizeName("\xE0\x80\xAF"), "not valid UTF-8");          // Overlong '/'.
  ExpectInvalid(NormalizeName("\xED\xBF\xBF"), "not valid UTF-8");          // Surrogate.
  ExpectInvalid(NormalizeName("\xF0\x8F\xBF\xBF"), "not valid UTF-8");      // Overlong U+FFFF.
  ExpectInvalid(NormalizeName("\xF4\x90\x80\x80"), "not valid UTF-8");      // > U+10FFFF.
  ExpectInvalid(NormalizeName("\xF8\x88\x80\x80\x80"), "not valid UTF-8");  // 5-byte form.
  // A view that ends inside a character must not read the bytes beyond it.
  ExpectInvalid(NormalizeName(std::string_view("张\xE4\xB8\x80", 5)), "not valid UTF-8");
}

TEST(Name, AcceptsCharactersOutsideTheBmp) {
  EXPECT_EQ(NormalizeName("\xF0\xA0\x80\x80 \xF0\x9F\x98\x80").value(),
            "\xF0\xA0\x80\x80 \xF0\x9F\x98\x80");  // U+20000, U+1F600.
}

// --- Jurisdiction ---

TEST(CountyCode, AcceptsCountyCodes) {
  EXPECT_TRUE(ValidateCountyCode("451421").ok());
  EXPECT_TRUE(ValidateCountyCode("110105").ok());
  EXPECT_TRUE(ValidateCountyCode("469001").ok());
}

TEST(CountyCode, RejectsProvinceAndCityCodes) {
  ExpectInvalid(ValidateCountyCode("450000"), "names a province, not a county");
  ExpectInvalid(ValidateCountyCode("451400"), "names a city, not a county");
  ExpectInvalid(ValidateCountyCode("450021"), "city part 00");
}

TEST(CountyCode, RejectsMalformedCodes) {
  ExpectInvalid(ValidateCountyCode(""), "has 0 characters");
  ExpectInvalid(ValidateCountyCode("45142"), "has 5 characters");
  ExpectInvalid(ValidateCountyCode("4514211"), "has 7 characters");
  ExpectInvalid(ValidateCountyCode("45142a"), "6 digits");
  ExpectInvalid(ValidateCountyCode("45 421"), "6 digits");
  ExpectInvalid(ValidateCountyCode("991421"), "province code 99 does not exist");
  ExpectInvalid(ValidateCountyCode("161421"), "province code 16 does not exist");
}

TEST(ProvinceCode, MatchesGbt2260List) {
  int count = 0;
  for (int n = 0; n < 100; ++n) {
    const std::string code = {static_cast<char>('0' + n / 10), static_cast<char>('0' + n % 10)};
    if (IsProvinceCode(code)) ++count;
  }
  EXPECT_EQ(count, 34);  // 34 province-level divisions.
  EXPECT_TRUE(IsProvinceCode("82"));
  EXPECT_FALSE(IsProvinceCode("4"));
  EXPECT_FALSE(IsProvinceCode("450"));
  EXPECT_FALSE(IsProvinceCode("4a"));
}

TEST(Jurisdiction, CoversCodesUnderPrefix) {
  EXPECT_TRUE(JurisdictionCovers("45", "451421"));
  EXPECT_TRUE(JurisdictionCovers("4514", "451421"));
  EXPECT_TRUE(JurisdictionCovers("451421", "451421"));
  EXPECT_TRUE(JurisdictionCovers("451421", "451421010000"));  // Police unit under the county.
}

TEST(Jurisdiction, DoesNotCoverOtherCodes) {
  EXPECT_FALSE(JurisdictionCovers("", "451421"));
  EXPECT_FALSE(JurisdictionCovers("", ""));
  EXPECT_FALSE(JurisdictionCovers("4514", "451521"));
  EXPECT_FALSE(JurisdictionCovers("46", "451421"));
  EXPECT_FALSE(JurisdictionCovers("451421", "4514"));  // Code shorter than prefix.
  EXPECT_FALSE(JurisdictionCovers("451421", "451422010000"));
}

TEST(JurisdictionPrefix, AcceptsWhatAJudgmentSpanningEventsHas) {
  for (const char* code : {"", "4", "45", "451", "4514", "45142", "451421", "451421010000"}) {
    EXPECT_TRUE(ValidateJurisdictionPrefix(code).ok()) << code;
  }
}

TEST(JurisdictionPrefix, RejectsWhatNoEventCanHave) {
  ExpectInvalid(ValidateJurisdictionPrefix("4a"), "must be digits");
  ExpectInvalid(ValidateJurisdictionPrefix("99"), "province code 99 does not exist");
  ExpectInvalid(ValidateJurisdictionPrefix("451400"), "names a city, not a county");
  ExpectInvalid(ValidateJurisdictionPrefix("45000012"), "names a province, not a county");
  ExpectInvalid(ValidateJurisdictionPrefix(std::string(25, '4')), "at most 24 digits");
}

}  // namespace
}  // namespace infobus::domain
