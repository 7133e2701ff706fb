#include "dispatch.hpp"

#include "bounded_queue.hpp"
#include "tool_call.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <future>
#include <thread>

namespace sbx::host {
namespace json = boost::json;

namespace {

// Lines read ahead per worker: enough to keep the workers busy behind a slow
// call at the head of the line, few enough to bound memory.
constexpr unsigned read_ahead = 4;

// The answer to a line that has no shape to answer in.
std::string unrecognised(size_t line_number, const std::string &message) {
    return json::serialize(
        json::object{{"error", json::object{{"line", line_number}, {"message", message}}}});
}

json::value result_of(Sandbox &sb, const ToolCall &call) {
    if (!call.error.empty())
        return error_result(call.error);
    try {
        return json::parse(sb.call_tool(call.name, call.arguments_json));
    } catch (const std::exception &e) { // an unknown tool, or a failure of the plugin
        return error_result(e.what());
    }
}

// Never throws: every input line gets exactly one answer.
std::string answer_line(Sandbox &sb, const std::string &line, size_t line_number) {
    try {
        const ToolCall call = read_tool_call(line);
        return answer(call, result_of(sb, call));
    } catch (const std::exception &e) {
        return unrecognised(line_number, e.what());
    }
}

} // namespace

int dispatch_tool_calls(Sandbox &sb, unsigned jobs, LineReader &in, LineWriter &out) {
    boost::asio::thread_pool workers(jobs);
    // Answers in input order: the writer waits for each in turn.
    BoundedQueue<std::future<std::string>> answers(jobs * read_ahead);
    std::thread writer([&] {
        while (auto next = answers.pop())
            out.write(next->get());
    });
    size_t line_number = 0;
    while (auto line = in.next()) {
        ++line_number;
        if (is_blank(*line))
            continue;
        std::packaged_task<std::string()> task([&sb, line = std::move(*line), line_number] {
            return answer_line(sb, line, line_number);
        });
        answers.push(task.get_future());
        boost::asio::post(workers, std::move(task));
    }
    answers.close();
    writer.join();
    workers.join();
    return 0;
}

} // namespace sbx::host
