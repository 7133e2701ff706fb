// What a program inside the sandbox can see and do.
#include "integration/client.hpp"

namespace sbx::test {
namespace {

class Isolation : public SharedClient {
protected:
    static json::object bash(const std::string &code) {
        return client_->run(json::object{{"language", "bash"}, {"code", code}});
    }
};

TEST_F(Isolation, RootFilesystemIsReadOnly) {
    const json::object r = bash("echo x > /sandbox-test; echo \"rc=$?\"; echo x > /usr/x");
    EXPECT_EQ(str(r, "status"), "execution_error") << dump(r);
    EXPECT_NE(str(r, "stdout").find("rc=1"), std::string::npos) << dump(r);
    EXPECT_NE(str(r, "stderr").find("Read-only file system"), std::string::npos) << dump(r);
}

TEST_F(Isolation, RunsAsNobody) {
    const json::object r = bash("id -u; id -g");
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "65534\n65534\n") << dump(r);
}

TEST_F(Isolation, OnlyLoopbackInterface) {
    const json::object r = bash("ls /sys/class/net");
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "lo\n") << dump(r);
}

TEST_F(Isolation, WorkspaceIsWritableAndIsTheWorkingDirectory) {
    const json::object r = bash("pwd; echo data > out.txt && cat out.txt; echo t > /tmp/t && cat /tmp/t");
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "/workspace\ndata\nt\n") << dump(r);
}

TEST_F(Isolation, NoCapabilitiesAndNoNewPrivileges) {
    const json::object r = bash("grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status");
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_NE(str(r, "stdout").find("CapPrm:\t0000000000000000"), std::string::npos) << dump(r);
    EXPECT_NE(str(r, "stdout").find("CapEff:\t0000000000000000"), std::string::npos) << dump(r);
    EXPECT_NE(str(r, "stdout").find("NoNewPrivs:\t1"), std::string::npos) << dump(r);
}

TEST_F(Isolation, FilesFromOneRunAreGoneInTheNext) {
    const json::object first = bash("echo secret > /workspace/left; echo secret > /tmp/left");
    ASSERT_EQ(str(first, "status"), "success") << dump(first);
    const json::object second = bash("ls /workspace /tmp");
    EXPECT_EQ(str(second, "stdout").find("left"), std::string::npos) << dump(second);
}

TEST_F(Isolation, RequestFilesAreWrittenIntoTheWorkspace) {
    const json::object r = client_->run(json::object{
        {"language", "bash"},
        {"code", "cat data/in.txt; od -An -tx1 bin.dat | tr -d ' \\n'"},
        {"files", json::array{json::object{{"path", "data/in.txt"}, {"content", "hello\n"}},
                              json::object{{"path", "bin.dat"},
                                           {"content", "AAH/"},
                                           {"encoding", "base64"}}}}});
    EXPECT_EQ(str(r, "status"), "success") << dump(r);
    EXPECT_EQ(str(r, "stdout"), "hello\n0001ff") << dump(r);
}

} // namespace
} // namespace sbx::test
