#include "support/json_schema.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>

namespace sbx::test {
namespace json = boost::json;

namespace {

using Errors = std::vector<std::string>;

const std::set<std::string_view> annotations{"$schema", "$id",      "title",   "description",
                                             "default", "examples", "$comment"};
const std::set<std::string_view> type_names{"null",  "boolean", "object", "array",
                                            "string", "number", "integer"};

// `pointer` + "/" + the escaped token (RFC 6901).
std::string child(const std::string &pointer, std::string_view token) {
    std::string out = pointer + "/";
    for (const char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

[[noreturn]] void malformed(const std::string &where, const std::string &what) {
    throw std::invalid_argument("schema " + where + ": " + what);
}

bool is_integer(const json::value &v) {
    if (v.is_int64() || v.is_uint64())
        return true;
    return v.is_double() && std::isfinite(v.get_double()) &&
           std::trunc(v.get_double()) == v.get_double();
}

std::string kind_name(const json::value &v) {
    switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
    }
    return "unknown";
}

bool has_type(std::string_view type, const json::value &v) {
    if (type == "integer")
        return is_integer(v);
    if (type == "number")
        return v.is_number();
    return kind_name(v) == type;
}

// JSON equality: numbers by value whatever their representation.
bool equal(const json::value &a, const json::value &b) {
    if (a.is_number() && b.is_number()) {
        if (a.is_double() || b.is_double())
            return a.to_number<double>() == b.to_number<double>();
        if (a.is_int64() && a.get_int64() < 0)
            return b.is_int64() && b.get_int64() == a.get_int64();
        if (b.is_int64() && b.get_int64() < 0)
            return false;
        return a.to_number<std::uint64_t>() == b.to_number<std::uint64_t>();
    }
    if (a.kind() != b.kind())
        return false;
    if (a.is_array())
        return std::equal(a.get_array().begin(), a.get_array().end(), b.get_array().begin(),
                          b.get_array().end(), equal);
    if (a.is_object()) {
        if (a.get_object().size() != b.get_object().size())
            return false;
        for (const json::key_value_pair &member : a.get_object()) {
            const json::value *other = b.get_object().if_contains(member.key());
            if (!other || !equal(member.value(), *other))
                return false;
        }
        return true;
    }
    return a == b;
}

size_t code_points(std::string_view s) {
    return static_cast<size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// The schema "#/$defs/<name>" of the root document.
const json::value &resolve(const json::value &root, const json::value &ref,
                           const std::string &where) {
    constexpr std::string_view prefix = "#/$defs/";
    if (!ref.is_string() || !std::string_view(ref.get_string()).starts_with(prefix))
        malformed(where, "$ref must be \"#/$defs/<name>\"");
    const std::string_view name = std::string_view(ref.get_string()).substr(prefix.size());
    const json::value *defs = root.is_object() ? root.get_object().if_contains("$defs") : nullptr;
    const json::value *target =
        defs && defs->is_object() ? defs->get_object().if_contains(name) : nullptr;
    if (!target)
        malformed(where, "$ref to a missing definition \"" + std::string(name) + "\"");
    return *target;
}

void check_schema(const json::value &root, const json::value &schema, const std::string &where);

void check_schema_map(const json::value &root, const json::value &map, const std::string &where) {
    if (!map.is_object())
        malformed(where, "expected an object of schemas");
    for (const json::key_value_pair &member : map.get_object())
        check_schema(root, member.value(), child(where, member.key()));
}

void check_strings(const json::value &v, const std::string &where, bool type_names_only) {
    if (!v.is_array())
        malformed(where, "expected an array of strings");
    for (const json::value &item : v.get_array())
        if (!item.is_string() || (type_names_only && !type_names.contains(item.get_string())))
            malformed(where, "unexpected element " + json::serialize(item));
}

// Throws std::invalid_argument unless every keyword anywhere in `schema` is
// supported and well-formed.
void check_schema(const json::value &root, const json::value &schema, const std::string &where) {
    if (schema.is_bool())
        return;
    if (!schema.is_object())
        malformed(where, "a schema is an object or a boolean");
    for (const json::key_value_pair &member : schema.get_object()) {
        const std::string_view key = member.key();
        const json::value &arg = member.value();
        const std::string at = child(where, key);
        if (annotations.contains(key) || key == "const")
            continue;
        if (key == "type") {
            if (arg.is_string() ? !type_names.contains(arg.get_string()) : !arg.is_array())
                malformed(at, "unknown type " + json::serialize(arg));
            if (arg.is_array())
                check_strings(arg, at, true);
        } else if (key == "properties" || key == "$defs") {
            check_schema_map(root, arg, at);
        } else if (key == "additionalProperties" || key == "items") {
            check_schema(root, arg, at);
        } else if (key == "oneOf" || key == "anyOf") {
            if (!arg.is_array() || arg.get_array().empty())
                malformed(at, "expected a non-empty array of schemas");
            for (size_t i = 0; i < arg.get_array().size(); ++i)
                check_schema(root, arg.get_array()[i], child(at, std::to_string(i)));
        } else if (key == "required") {
            check_strings(arg, at, false);
        } else if (key == "enum") {
            if (!arg.is_array())
                malformed(at, "expected an array");
        } else if (key == "minimum" || key == "maximum" || key == "exclusiveMinimum") {
            if (!arg.is_number())
                malformed(at, "expected a number");
        } else if (key == "minLength" || key == "maxLength") {
            if (!is_integer(arg) || arg.to_number<double>() < 0)
                malformed(at, "expected a non-negative integer");
        } else if (key == "pattern") {
            if (!arg.is_string())
                malformed(at, "expected a string");
            try {
                std::regex(std::string(arg.get_string()));
            } catch (const std::regex_error &e) {
                malformed(at, std::string("invalid regular expression: ") + e.what());
            }
        } else if (key == "$ref") {
            resolve(root, arg, at);
        } else {
            malformed(at, "unsupported keyword");
        }
    }
}

void evaluate(const json::value &root, const json::value &schema, const json::value &doc,
              const std::string &at, Errors &errors);

// How many of the alternatives `doc` matches; the failures of the others go
// to `failures`.
size_t count_matches(const json::value &root, const json::array &alternatives,
                     const json::value &doc, const std::string &at, std::string &failures) {
    size_t matches = 0;
    for (const json::value &alternative : alternatives) {
        Errors errors;
        evaluate(root, alternative, doc, at, errors);
        if (errors.empty())
            ++matches;
        for (const std::string &e : errors)
            failures += (failures.empty() ? "" : "; ") + e;
    }
    return matches;
}

void evaluate_keyword(const json::value &root, const json::object &schema, std::string_view key,
                      const json::value &arg, const json::value &doc, const std::string &at,
                      Errors &errors) {
    const auto fail = [&](const std::string &message) { errors.push_back(at + ": " + message); };
    const auto number = [&] { return doc.to_number<double>(); };
    if (key == "type") {
        const bool ok = arg.is_string()
                            ? has_type(arg.get_string(), doc)
                            : std::any_of(arg.get_array().begin(), arg.get_array().end(),
                                          [&](const json::value &t) {
                                              return has_type(t.get_string(), doc);
                                          });
        if (!ok)
            fail("expected " + (arg.is_string() ? std::string(arg.get_string())
                                                : json::serialize(arg)) +
                 ", got " + (doc.is_number() ? json::serialize(doc) : kind_name(doc)));
    } else if (key == "enum") {
        const json::array &options = arg.get_array();
        if (std::none_of(options.begin(), options.end(),
                         [&](const json::value &option) { return equal(option, doc); }))
            fail(json::serialize(doc) + " is not one of " + json::serialize(arg));
    } else if (key == "const") {
        if (!equal(arg, doc))
            fail("expected " + json::serialize(arg) + ", got " + json::serialize(doc));
    } else if (key == "properties" && doc.is_object()) {
        for (const json::key_value_pair &property : arg.get_object())
            if (const json::value *value = doc.get_object().if_contains(property.key()))
                evaluate(root, property.value(), *value, child(at, property.key()), errors);
    } else if (key == "required" && doc.is_object()) {
        for (const json::value &name : arg.get_array())
            if (!doc.get_object().contains(name.get_string()))
                errors.push_back(child(at, name.get_string()) + ": required but missing");
    } else if (key == "additionalProperties" && doc.is_object()) {
        const json::value *known = schema.if_contains("properties");
        for (const json::key_value_pair &member : doc.get_object())
            if (!known || !known->get_object().contains(member.key()))
                evaluate(root, arg, member.value(), child(at, member.key()), errors);
    } else if (key == "items" && doc.is_array()) {
        for (size_t i = 0; i < doc.get_array().size(); ++i)
            evaluate(root, arg, doc.get_array()[i], child(at, std::to_string(i)), errors);
    } else if (key == "minimum" && doc.is_number()) {
        if (number() < arg.to_number<double>())
            fail(json::serialize(doc) + " is less than the minimum " + json::serialize(arg));
    } else if (key == "maximum" && doc.is_number()) {
        if (number() > arg.to_number<double>())
            fail(json::serialize(doc) + " is greater than the maximum " + json::serialize(arg));
    } else if (key == "exclusiveMinimum" && doc.is_number()) {
        if (number() <= arg.to_number<double>())
            fail(json::serialize(doc) + " is not greater than " + json::serialize(arg));
    } else if (key == "minLength" && doc.is_string()) {
        if (code_points(doc.get_string()) < arg.to_number<double>())
            fail("shorter than " + json::serialize(arg) + " characters");
    } else if (key == "maxLength" && doc.is_string()) {
        if (code_points(doc.get_string()) > arg.to_number<double>())
            fail("longer than " + json::serialize(arg) + " characters");
    } else if (key == "pattern" && doc.is_string()) {
        const std::string text(doc.get_string());
        if (!std::regex_search(text, std::regex(std::string(arg.get_string()))))
            fail(json::serialize(doc) + " does not match " + json::serialize(arg));
    } else if (key == "anyOf" || key == "oneOf") {
        std::string failures;
        const size_t matches = count_matches(root, arg.get_array(), doc, at, failures);
        if (matches == 0)
            fail("matches none of " + std::string(key) + " (" + failures + ")");
        else if (key == "oneOf" && matches > 1)
            fail("matches " + std::to_string(matches) + " schemas of oneOf, not exactly one");
    } else if (key == "$ref") {
        evaluate(root, resolve(root, arg, at), doc, at, errors);
    }
}

void evaluate(const json::value &root, const json::value &schema, const json::value &doc,
              const std::string &at, Errors &errors) {
    if (schema.is_bool()) {
        if (!schema.get_bool())
            errors.push_back(at + ": not allowed here");
        return;
    }
    for (const json::key_value_pair &member : schema.get_object())
        evaluate_keyword(root, schema.get_object(), member.key(), member.value(), doc, at, errors);
}

} // namespace

std::vector<std::string> validate(const json::value &schema, const json::value &doc) {
    check_schema(schema, schema, "#");
    Errors errors;
    evaluate(schema, schema, doc, "#", errors);
    return errors;
}

json::value load_schema(std::string_view name) {
    const std::string path = SBX_TEST_SOURCE_DIR "/abi/schemas/" + std::string(name);
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    std::ostringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    json::value schema = json::parse(text.str(), ec);
    if (ec)
        throw std::runtime_error(path + ": " + ec.message());
    return schema;
}

} // namespace sbx::test
