// Files in and out of a sandbox (ABI 1.2), against the real engine: nested
// binary input, `collect` globs with their size cap, and the session tools
// write_file, read_file and list_files.
#include "integration/client.hpp"

#include <boost/beast/core/detail/base64.hpp>
#include <gtest/gtest.h>

namespace sbx::test {
namespace {

std::string base64(std::string_view bytes) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::encoded_size(bytes.size()), '\0');
    out.resize(b64::encode(out.data(), bytes.data(), bytes.size()));
    return out;
}

std::string unbase64(std::string_view text) {
    namespace b64 = boost::beast::detail::base64;
    std::string out(b64::decoded_size(text.size()), '\0');
    out.resize(b64::decode(out.data(), text.data(), text.size()).first);
    return out;
}

std::string every_byte() {
    std::string bytes;
    for (int round = 0; round < 4; ++round)
        for (int b = 0; b < 256; ++b)
            bytes.push_back(static_cast<char>(b));
    return bytes;
}

// The bytes of a returned file, whatever its encoding.
std::string content_of(const json::value &file) {
    const std::string content(file.at("content").as_string());
    return file.at("encoding") == "base64" ? unbase64(content) : content;
}

const json::value *find_file(const json::object &result, const std::string &path) {
    for (const json::value &f : result.at("files").as_array())
        if (f.at("path").as_string() == path)
            return &f;
    return nullptr;
}

// A tool result's text, and whether it is an error.
std::string tool_text(const json::object &result) {
    return std::string(result.at("content").at(0).at("text").as_string());
}

class Files : public SharedClient {};

TEST_F(Files, NestedBinaryFilesRoundTripByteForByte) {
    const std::string bytes = every_byte();
    json::object result = client_->run(
        {{"language", "python"},
         {"code", "import os, shutil\nos.makedirs('out/deep', exist_ok=True)\n"
                  "shutil.copy('in/nested/blob.bin', 'out/deep/blob.bin')\n"
                  "print(os.path.getsize('in/nested/blob.bin'))"},
         {"files", json::array{{{"path", "in/nested/blob.bin"},
                                {"content", base64(bytes)},
                                {"encoding", "base64"}}}},
         {"collect", json::array{"out/**"}}});
    ASSERT_EQ(str(result, "status"), "success") << dump(result);
    EXPECT_EQ(str(result, "stdout"), std::to_string(bytes.size()) + "\n");
    ASSERT_EQ(result.at("files").as_array().size(), 1u) << dump(result);
    const json::value &file = result.at("files").at(0);
    EXPECT_EQ(file.at("path"), "out/deep/blob.bin");
    EXPECT_EQ(file.at("encoding"), "base64");
    EXPECT_EQ(file.at("size").to_number<uint64_t>(), bytes.size());
    EXPECT_TRUE(file.at("returned").as_bool());
    EXPECT_EQ(content_of(file), bytes);
    EXPECT_FALSE(result.at("files_truncated").as_bool());
}

TEST_F(Files, CollectReturnsAPngTheProgramWrote) {
    // A 2x2 PNG written with the standard library only.
    const char *code = R"(import os, struct, zlib
def chunk(kind, data):
    body = kind + data
    return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))
rows = b''.join(b'\x00' + bytes([255, 0, 0] * 2) for _ in range(2))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 2, 2, 8, 2, 0, 0, 0))
       + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
os.makedirs('out', exist_ok=True)
open('out/plot.png', 'wb').write(png)
open('out/notes.txt', 'w').write('not a png')
open('table.csv', 'w').write('a,b\n1,2\n')
)";
    json::object result = client_->run({{"language", "python"},
                                        {"code", code},
                                        {"collect", json::array{"out/*.png", "*.csv"}}});
    ASSERT_EQ(str(result, "status"), "success") << dump(result);
    ASSERT_EQ(result.at("files").as_array().size(), 2u) << dump(result);
    const json::value *png = find_file(result, "out/plot.png");
    ASSERT_NE(png, nullptr) << dump(result);
    EXPECT_EQ(png->at("encoding"), "base64");
    const std::string bytes = content_of(*png);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(png->at("size").to_number<uint64_t>(), bytes.size());
    const json::value *csv = find_file(result, "table.csv");
    ASSERT_NE(csv, nullptr);
    EXPECT_EQ(csv->at("encoding"), "utf-8");
    EXPECT_EQ(csv->at("content"), "a,b\n1,2\n");
    EXPECT_EQ(find_file(result, "out/notes.txt"), nullptr);
}

TEST_F(Files, CollectDoesNotFollowSymlinksOutOfTheWorkspace) {
    json::object result = client_->run(
        {{"language", "bash"},
         {"code", "ln -s /etc/passwd passwd.txt; mkdir d; ln -s /etc d/etc; echo ok > real.txt"},
         {"collect", json::array{"**"}}});
    ASSERT_EQ(str(result, "status"), "success") << dump(result);
    std::vector<std::string> paths;
    for (const json::value &f : result.at("files").as_array())
        paths.emplace_back(f.at("path").as_string());
    EXPECT_EQ(paths, std::vector<std::string>({"main.sh", "real.txt"})) << dump(result);
}

TEST_F(Files, BadCollectPatternsNameTheField) {
    for (const auto &[pattern, reason] :
         std::vector<std::pair<json::value, std::string>>{
             {"/etc/*", "collect[0]: \"/etc/*\" is absolute"},
             {"../x", "collect[0]: \"../x\" contains \"..\""},
             {"", "collect[0]: must not be empty"},
             {1, "collect[0]: expected a string"}}) {
        const auto [status, message] = client_->refuse(json::serialize(json::object{
            {"language", "bash"}, {"code", "true"}, {"collect", json::array{pattern}}}));
        EXPECT_EQ(status, SBX_E_INVALID_REQUEST);
        EXPECT_EQ(message.rfind(reason, 0), 0u) << message;
    }
}

TEST(FilesCap, FilesOverTheSizeCapAreListedButNotReturned) {
    Client client(R"({"collect": {"max_bytes": 1000, "max_files": 4}})");
    json::object result = client.run(
        {{"language", "bash"},
         {"code", "head -c 600 /dev/zero > a.dat; head -c 600 /dev/zero > b.dat;"
                  "head -c 100 /dev/zero > c.dat; for i in 1 2 3; do echo > z$i.dat; done"},
         {"collect", json::array{"*.dat"}}});
    ASSERT_EQ(str(result, "status"), "success") << dump(result);
    const json::array &files = result.at("files").as_array();
    ASSERT_EQ(files.size(), 4u) << dump(result);
    EXPECT_TRUE(result.at("files_truncated").as_bool());
    EXPECT_TRUE(find_file(result, "a.dat")->at("returned").as_bool());
    const json::value &b = *find_file(result, "b.dat");
    EXPECT_FALSE(b.at("returned").as_bool());
    EXPECT_TRUE(b.at("content").is_null());
    EXPECT_EQ(b.at("size").to_number<uint64_t>(), 600u);
    // A smaller file after it still fits.
    EXPECT_TRUE(find_file(result, "c.dat")->at("returned").as_bool());
    uint64_t returned = 0;
    for (const json::value &f : files)
        if (f.at("returned").as_bool())
            returned += content_of(f).size();
    EXPECT_LE(returned, 1000u);
}

TEST_F(Files, SessionToolsWriteReadAndList) {
    json::object opened = client_->call_tool("create_session", {{"language", "python"}});
    ASSERT_FALSE(opened.at("isError").as_bool()) << tool_text(opened);
    const std::string id(opened.at("structuredContent").at("session_id").as_string());

    const std::string bytes = every_byte();
    json::object wrote = client_->call_tool(
        "write_file", {{"session_id", id}, {"path", "data/raw/blob.bin"},
                       {"content", base64(bytes)}, {"encoding", "base64"}});
    ASSERT_FALSE(wrote.at("isError").as_bool()) << tool_text(wrote);
    client_->call_tool("write_file", {{"session_id", id}, {"path", "data/a*b.txt"}, {"content", "star"}});
    client_->call_tool("write_file", {{"session_id", id}, {"path", "data/axb.txt"}, {"content", "x"}});

    json::object ran = client_->call_tool(
        "execute_code", {{"session_id", id}, {"language", "python"},
                         {"code", "d = open('data/raw/blob.bin', 'rb').read()\n"
                                  "open('data/copy.bin', 'wb').write(d[::-1])\nprint(len(d))"}});
    ASSERT_FALSE(ran.at("isError").as_bool()) << tool_text(ran);
    EXPECT_EQ(ran.at("structuredContent").at("stdout"), "1024\n");

    json::object read = client_->call_tool("read_file", {{"session_id", id}, {"path", "data/copy.bin"}});
    ASSERT_FALSE(read.at("isError").as_bool()) << tool_text(read);
    EXPECT_EQ(content_of(read.at("structuredContent")), std::string(bytes.rbegin(), bytes.rend()));
    // A name with glob characters reads that file only.
    json::object star = client_->call_tool("read_file", {{"session_id", id}, {"path", "data/a*b.txt"}});
    EXPECT_EQ(tool_text(star), "star");

    json::object listed = client_->call_tool("list_files", {{"session_id", id}, {"pattern", "data/**"}});
    ASSERT_FALSE(listed.at("isError").as_bool()) << tool_text(listed);
    std::vector<std::string> paths;
    for (const json::value &f : listed.at("structuredContent").at("files").as_array())
        paths.emplace_back(f.at("path").as_string());
    EXPECT_EQ(paths, std::vector<std::string>(
                         {"data/a*b.txt", "data/axb.txt", "data/copy.bin", "data/raw/blob.bin"}));

    json::object missing = client_->call_tool("read_file", {{"session_id", id}, {"path", "nope.txt"}});
    EXPECT_TRUE(missing.at("isError").as_bool());
    EXPECT_EQ(tool_text(missing), "path: no file \"nope.txt\" in the session's workspace");
    json::object escape = client_->call_tool("write_file", {{"session_id", id}, {"path", "../x"}, {"content", ""}});
    EXPECT_TRUE(escape.at("isError").as_bool());
    EXPECT_EQ(tool_text(escape).rfind("path: ", 0), 0u) << tool_text(escape);

    json::object closed = client_->call_tool("close_session", {{"session_id", id}});
    ASSERT_FALSE(closed.at("isError").as_bool()) << tool_text(closed);
    json::object after = client_->call_tool("list_files", {{"session_id", id}});
    EXPECT_TRUE(after.at("isError").as_bool());
    EXPECT_EQ(tool_text(after), "session_id: session \"" + id + "\" was closed");
}

TEST_F(Files, SessionToolsRefuseAnUnknownSession) {
    const std::vector<std::pair<std::string, json::object>> calls{
        {"write_file", {{"session_id", "s-missing"}, {"path", "a"}, {"content", "b"}}},
        {"read_file", {{"session_id", "s-missing"}, {"path", "a"}}},
        {"list_files", {{"session_id", "s-missing"}}},
        {"close_session", {{"session_id", "s-missing"}}},
        {"execute_code", {{"session_id", "s-missing"}, {"language", "bash"}, {"code", "true"}}}};
    for (const auto &[tool, arguments] : calls) {
        json::object r = client_->call_tool(tool, arguments);
        EXPECT_TRUE(r.at("isError").as_bool()) << tool;
        EXPECT_EQ(tool_text(r), "session_id: no session \"s-missing\" was opened on this sandbox")
            << tool;
    }
}

} // namespace
} // namespace sbx::test
