#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace infobus::domain {

// Strict UTF-8: truncated, overlong, surrogate and above-U+10FFFF sequences are malformed.

// Length of the sequence at s[i] and its code point in *cp, or 0 when malformed.
size_t DecodeUtf8At(std::string_view s, size_t i, char32_t* cp);
// The whole of `s` as code points; false when any sequence is malformed.
bool DecodeUtf8(std::string_view s, std::u32string* out);
void AppendUtf8(char32_t cp, std::string* out);
bool IsValidUtf8(std::string_view s);

}  // namespace infobus::domain
