#include "init/glob.hpp"

#include <algorithm>
#include <vector>

namespace sbx::init {
namespace {

// The pattern becomes a small NFA whose nodes follow each other; a match
// simulates every node at once, so no pattern makes it backtrack.
enum class Kind {
    literal,   // c
    one,       // ?
    star,      // *: loops on characters but '/'; may be skipped
    all,       // **: loops on any character; may be skipped
    dirs,      // first node of "**/": may skip to after `dirs_body`
    dirs_body, // second node of "**/": loops on any character, leaves on '/'
};

struct Node {
    Kind kind;
    char c = 0;
};

std::vector<Node> compile(std::string_view p) {
    std::vector<Node> nodes;
    for (size_t i = 0; i < p.size(); ++i) {
        if (p[i] == '\\') {
            nodes.push_back({Kind::literal, i + 1 < p.size() ? p[++i] : '\\'});
        } else if (p[i] == '?') {
            nodes.push_back({Kind::one});
        } else if (p[i] != '*') {
            nodes.push_back({Kind::literal, p[i]});
        } else if (i + 1 < p.size() && p[i + 1] == '*') {
            const bool component_start =
                nodes.empty() || nodes.back().kind == Kind::dirs_body ||
                (nodes.back().kind == Kind::literal && nodes.back().c == '/');
            if (component_start && i + 2 < p.size() && p[i + 2] == '/') {
                nodes.push_back({Kind::dirs});
                nodes.push_back({Kind::dirs_body});
                i += 2; // the '/' is part of dirs_body
            } else {
                nodes.push_back({Kind::all});
                ++i;
            }
        } else {
            nodes.push_back({Kind::star});
        }
    }
    return nodes;
}

// Adds the nodes reachable from active ones without reading a character.
// Edges only go forward, so one pass in order is enough.
void close(const std::vector<Node> &nodes, std::vector<char> &active) {
    for (size_t i = 0; i < nodes.size(); ++i) {
        if (!active[i]) continue;
        switch (nodes[i].kind) {
        case Kind::star:
        case Kind::all: active[i + 1] = 1; break;
        case Kind::dirs:
            active[i + 1] = 1;
            active[i + 2] = 1;
            break;
        default: break;
        }
    }
}

} // namespace

bool glob_match(std::string_view pattern, std::string_view path) {
    const std::vector<Node> nodes = compile(pattern);
    // active[i]: node i may read the next character; active[size]: matched.
    std::vector<char> active(nodes.size() + 1, 0), next(nodes.size() + 1, 0);
    active[0] = 1;
    close(nodes, active);
    for (char c : path) {
        std::fill(next.begin(), next.end(), 0);
        for (size_t i = 0; i < nodes.size(); ++i) {
            if (!active[i]) continue;
            const Node &n = nodes[i];
            switch (n.kind) {
            case Kind::literal:
                if (c == n.c) next[i + 1] = 1;
                break;
            case Kind::one:
                if (c != '/') next[i + 1] = 1;
                break;
            case Kind::star:
                if (c != '/') next[i] = 1;
                break;
            case Kind::all: next[i] = 1; break;
            case Kind::dirs: break; // only its closure reads
            case Kind::dirs_body:
                next[i] = 1;
                if (c == '/') next[i + 1] = 1;
                break;
            }
        }
        close(nodes, next);
        if (std::find(next.begin(), next.end(), 1) == next.end()) return false;
        active.swap(next);
    }
    return active[nodes.size()] != 0;
}

} // namespace sbx::init
