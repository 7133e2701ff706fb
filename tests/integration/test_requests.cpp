// Invalid requests are refused through the C ABI with a status and a message
// naming the field, and no container is created.
#include "integration/client.hpp"

namespace sbx::test {
namespace {

TEST(Requests, InvalidOnesAreRefusedWithTheFieldNamed) {
    Client client(R"j({"max": {"time_s": 60, "code_bytes": 1000}})j");
    struct Case {
        std::string request;
        sbx_status status;
        std::string field;
    };
    const std::vector<Case> cases{
        {"{not json", SBX_E_INVALID_JSON, "request"},
        {R"j({"code": "print(1)"})j", SBX_E_INVALID_REQUEST, "language"},
        {R"j({"language": "cobol-2077", "code": ""})j", SBX_E_UNKNOWN_LANGUAGE, "cobol-2077"},
        {R"j({"language": "python"})j", SBX_E_INVALID_REQUEST, "code"},
        {R"j({"language": "python", "code": 5})j", SBX_E_INVALID_REQUEST, "code"},
        {R"j({"language": "python", "code": "", "limits": {"time_s": 61}})j", SBX_E_LIMIT_EXCEEDED,
         "limits.time_s"},
        {R"j({"language": "python", "code": "", "limits": {"memory_mb": "lots"}})j",
         SBX_E_INVALID_REQUEST, "limits.memory_mb"},
        {R"j({"language": "python", "code": ")j" + std::string(1001, 'x') + R"j("})j",
         SBX_E_LIMIT_EXCEEDED, "code"},
        {R"j({"language": "python", "code": "", "files": [{"path": "/etc/x", "content": ""}]})j",
         SBX_E_INVALID_REQUEST, "files[0].path"},
        {R"j({"language": "python", "code": "", "network": true})j", SBX_E_INVALID_REQUEST,
         "network"},
    };
    for (const Case &c : cases) {
        const auto [status, message] = client.refuse(c.request);
        EXPECT_EQ(status, c.status) << c.request << " -> " << message;
        EXPECT_NE(message.find(c.field), std::string::npos) << c.request << " -> " << message;
    }
}

TEST(Requests, LanguageLookupIgnoresCaseAndTakesAliases) {
    Client client;
    const json::object r = client.run(json::object{{"language", "PY"}, {"code", "print(2)"}});
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "language"), "python") << dump(r);
}

} // namespace
} // namespace sbx::test
