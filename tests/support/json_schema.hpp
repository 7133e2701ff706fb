// A small JSON Schema (draft 2020-12) validator for the tests: exactly the
// keywords abi/schemas/*.json use.
//
// Supported: type (a name or an array of names; "integer" is a number without
// a fraction), properties, required, additionalProperties (bool or schema),
// items, enum, const, minimum, maximum, exclusiveMinimum, minLength,
// maxLength (in code points), pattern (std::regex ECMAScript, unanchored
// search), oneOf, anyOf, $ref to "#/$defs/<name>" of the same document, $defs,
// and boolean schemas. Annotations ($schema, $id, title, description,
// default, examples, $comment) are accepted and ignored.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace sbx::test {

// Validates `doc` against `schema`. Returns one message per violation, each
// starting with the JSON pointer of the offending value in URI-fragment form
// ("#/limits/time_s: expected number, got string"); empty means valid.
// Throws std::invalid_argument when the schema itself is malformed or uses a
// keyword outside the supported set, wherever in the schema that keyword is.
std::vector<std::string> validate(const boost::json::value &schema,
                                  const boost::json::value &doc);

// Reads and parses SBX_TEST_SOURCE_DIR "/abi/schemas/" + name
// ("execute.result.json"). Throws std::runtime_error when it cannot.
boost::json::value load_schema(std::string_view name);

} // namespace sbx::test
