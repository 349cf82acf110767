// Platform configuration: validation against the key table (config/keys.h), merging, --set, the
// optional topology, the cross-key rules and the typed view.
//
// Every key is one row of the key table (config/declarations.cc for the built-in keys, plus keys
// registered at run time): defaults(), validation, merging and --set walk the object structure
// the rows' paths imply, and parse() fills the typed platform_config through each row's binding.
#include "testbench/config/config.h"

#include "testbench/config/config_util.h"
#include "testbench/config/cross_rules.h"
#include "testbench/config/keys.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <utility>

namespace epvp::cfg {
using namespace util;
namespace {

using entry = key_def;
using kind = key_kind;

const std::vector<entry>& schema() {
    return key_table();
}

// An assignment as its --set error quotes it: a long one (a value pasted from a file) shortened.
std::string shortened_assignment(const std::string& a) {
    constexpr std::size_t limit = 120;
    return a.size() > limit ? a.substr(0, limit) + "..." : a;
}

// The object structure the dotted paths of a table imply: the children of the object at `sub`
// (a path relative to the table, "" for its root), in table order. `leaf` is null for objects.
struct child {
    std::string name;
    const entry* leaf;
};

std::vector<child> children_of(const std::vector<entry>& table, const std::string& sub) {
    const std::string prefix = sub.empty() ? "" : sub + ".";
    std::vector<child> out;
    for (const auto& e : table) {
        if (e.path.size() <= prefix.size() || e.path.compare(0, prefix.size(), prefix) != 0)
            continue;
        const std::string rest = e.path.substr(prefix.size());
        const auto dot = rest.find('.');
        const std::string name = rest.substr(0, dot);
        const bool seen =
            std::any_of(out.begin(), out.end(), [&](const child& c) { return c.name == name; });
        if (!seen) out.push_back({name, dot == std::string::npos ? &e : nullptr});
    }
    return out;
}

const child* find_child(const std::vector<child>& kids, const std::string& name) {
    for (const auto& c : kids)
        if (c.name == name) return &c;
    return nullptr;
}

[[noreturn]] void unknown_key(const std::string& parent, const std::string& name,
                              const std::vector<child>& kids) {
    std::vector<std::string> names;
    for (const auto& c : kids)
        names.push_back(c.name);
    fail(join_path(parent, name) + ": unknown key (known keys " +
         (parent.empty() ? std::string("at the top level") : "under " + parent) + ": " +
         join_list(names) + ")");
}

std::string where(const std::string& path) {
    return path.empty() ? "(top level)" : path;
}

// ---------------------------------------------------------------------------------------------
// Validation

bool parse_hex(const std::string& s, std::uint64_t& out) {
    if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 2; i < s.size(); ++i) {
        const char c = s[i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = static_cast<unsigned>(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = static_cast<unsigned>(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = static_cast<unsigned>(c - 'A' + 10);
        else
            return false;
        if (v > (u64_max >> 4)) return false; // does not fit in 64 bits
        v = (v << 4) | d;
    }
    out = v;
    return true;
}

// An unsigned integer: a non-negative JSON integer or a "0x..." string.
std::uint64_t as_uint(const json& v, const std::string& path) {
    if (v.is_number_unsigned()) return v.get<std::uint64_t>();
    if (v.is_number_integer() && v.get<std::int64_t>() >= 0)
        return static_cast<std::uint64_t>(v.get<std::int64_t>());
    std::uint64_t n = 0;
    if (v.is_string() && parse_hex(v.get<std::string>(), n)) return n;
    fail(path + ": expected an unsigned integer, got " + describe_value(v));
}

void check_rule(const rule& r, std::uint64_t v, const std::string& path) {
    if (!r.holds(v)) fail(path + " = " + dec(v) + ": " + r.describe());
}

// The validated leaf values by full display path ("dwc.bars[2].type"), for the typed view.
class values {
public:
    void put(const std::string& path, json v) { map_[path] = std::move(v); }
    bool has(const std::string& path) const { return map_.count(path) != 0; }
    const json& at(const std::string& path) const {
        const auto it = map_.find(path);
        if (it == map_.end()) throw std::logic_error("config: no validated value for " + path);
        return it->second;
    }

private:
    std::map<std::string, json> map_;
};

void walk_object(const json* obj, const std::vector<entry>& table, const std::string& sub,
                 const std::string& path, values& out);

// The optional top-level `topology` (see the Topology section): not a schema row, so that a
// document without it, and the defaults, stay exactly the single-endpoint platform.
constexpr const char* topology_key = "topology";
bool is_topology(const std::vector<entry>& table, const std::string& sub, const std::string& name) {
    return &table == &schema() && sub.empty() && name == topology_key;
}
// complete: also require every root port and downstream port to carry a child (a finished
// document; --set may build one step by step).
topology_config check_topology(const json& t, const std::string& path, bool complete);
void merge_topology(json& base, const json& overlay);

void walk_leaf(const json& v, const entry& e, const std::string& path, values& out) {
    switch (e.kind) {
    case kind::uint: {
        const auto n = as_uint(v, path);
        check_rule(e.r, n, path);
        out.put(path, n);
        return;
    }
    case kind::real: {
        if (!v.is_number()) fail(path + ": expected a number, got " + describe_value(v));
        const double x = v.get<double>();
        if (!(x >= e.real_min && x <= e.real_max)) {
            std::ostringstream range;
            range << "[" << e.real_min << ", " << e.real_max << "]";
            fail(path + " = " + safe_dump(v) + ": must be in " + range.str());
        }
        out.put(path, x);
        return;
    }
    case kind::boolean:
        if (!v.is_boolean())
            fail(path + ": expected a boolean (true or false), got " + describe_value(v));
        out.put(path, v);
        return;
    case kind::choice:
        if (!v.is_string())
            fail(path + ": expected a string (one of " + join_list(e.names) + "), got " +
                 describe_value(v));
        if (std::find(e.names.begin(), e.names.end(), v.get<std::string>()) == e.names.end())
            fail(path + " = " + shortened(safe_dump(v)) + ": must be one of " + join_list(e.names));
        out.put(path, v);
        return;
    case kind::text: {
        if (!v.is_string()) fail(path + ": expected a string, got " + describe_value(v));
        const auto& t = v.get_ref<const std::string&>();
        if (t.size() > cfg::max_text_chars)
            fail(path + ": longer than " + dec(cfg::max_text_chars) + " characters");
        for (char ch : t)
            if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
                fail(path + " = " + shortened(safe_dump(v)) + ": contains a control character");
        out.put(path, v);
        return;
    }
    case kind::uint_array:
    case kind::object_array: {
        const bool objects = e.kind == kind::object_array;
        const std::string what = objects ? "objects" : "unsigned integers";
        if (e.variable) {
            if (!v.is_array())
                fail(path + ": expected an array of at most " + dec(e.count) + " " + what +
                     ", got " + describe_value(v));
            if (v.size() > e.count)
                fail(path + ": " + dec(v.size()) + " entries, at most " + dec(e.count) +
                     " are supported");
        } else if (!v.is_array())
            fail(path + ": expected an array of " + dec(e.count) + " " + what + ", got " +
                 describe_value(v));
        else if (v.size() != e.count)
            fail(path + ": expected an array of exactly " + dec(e.count) + " " + what + ", got " +
                 dec(v.size()) + " entries");
        for (std::size_t i = 0; i < v.size(); ++i) {
            const std::string element = indexed(path, i);
            if (objects) {
                walk_object(&v[i], e.fields, "", element, out);
            } else {
                const auto n = as_uint(v[i], element);
                check_rule(e.r, n, element);
                out.put(element, n);
            }
        }
        return;
    }
    }
}

// Validates the object at `path` (table-relative `sub`). A missing object or leaf (obj == null,
// or a key absent from it) takes the schema default.
void walk_object(const json* obj, const std::vector<entry>& table, const std::string& sub,
                 const std::string& path, values& out) {
    const auto kids = children_of(table, sub);
    if (obj != nullptr) {
        if (!obj->is_object())
            fail(where(path) + ": expected an object, got " + describe_value(*obj));
        for (auto it = obj->begin(); it != obj->end(); ++it)
            if (find_child(kids, it.key()) == nullptr && !is_topology(table, sub, it.key()))
                unknown_key(path, it.key(), kids);
    }
    for (const auto& c : kids) {
        const json* value = nullptr;
        if (obj != nullptr) {
            const auto it = obj->find(c.name);
            if (it != obj->end()) value = &*it;
        }
        const std::string child_path = join_path(path, c.name);
        if (c.leaf == nullptr)
            walk_object(value, table, join_path(sub, c.name), child_path, out);
        else
            walk_leaf(value != nullptr ? *value : c.leaf->def, *c.leaf, child_path, out);
    }
}

void merge_object(json& base, const json& overlay, const std::vector<entry>& table,
                  const std::string& sub, const std::string& path) {
    if (!overlay.is_object())
        fail(where(path) + ": expected an object, got " + describe_value(overlay));
    if (!base.is_object()) base = json::object();
    const auto kids = children_of(table, sub);
    for (auto it = overlay.begin(); it != overlay.end(); ++it) {
        if (is_topology(table, sub, it.key())) {
            merge_topology(base[it.key()], it.value());
            continue;
        }
        const child* c = find_child(kids, it.key());
        if (c == nullptr) unknown_key(path, it.key(), kids);
        if (c->leaf == nullptr)
            merge_object(base[it.key()], it.value(), table, join_path(sub, it.key()),
                         join_path(path, it.key()));
        else
            base[it.key()] = it.value();
    }
}

// ---------------------------------------------------------------------------------------------
// --set

[[noreturn]] void not_an_object(const std::string& leaf, const std::string& name) {
    fail(join_path(leaf, name) + ": unknown key (" + leaf + " is a value, not an object)");
}

struct segment {
    std::string name;
    bool has_index = false;
    std::size_t index = 0;
};

bool split_key(const std::string& key, std::vector<segment>& out) {
    std::size_t pos = 0;
    for (;;) {
        segment s;
        while (pos < key.size() && key[pos] != '.' && key[pos] != '[' && key[pos] != ']')
            s.name += key[pos++];
        if (s.name.empty()) return false;
        if (pos < key.size() && key[pos] == '[') {
            ++pos;
            std::string digits;
            while (pos < key.size() && key[pos] >= '0' && key[pos] <= '9')
                digits += key[pos++];
            if (digits.empty() || digits.size() > 9 || pos >= key.size() || key[pos] != ']')
                return false;
            ++pos;
            s.has_index = true;
            s.index = static_cast<std::size_t>(std::stoul(digits));
        }
        out.push_back(std::move(s));
        if (pos == key.size()) return true;
        if (key[pos] != '.') return false;
        ++pos;
    }
}

// The JSON value of a --set VALUE: JSON when it parses as JSON, otherwise the plain string. For
// string-enum keys anything but a quoted JSON string is taken literally ("4.70" stays a string).
json set_value(const std::string& text, bool want_string) {
    if (!json::accept(text)) return json(text);
    json v = parse_json(text, "value"); // JSON, but too deep or with a duplicate key: an error
    if (want_string && !v.is_string()) return json(text);
    return v;
}

// Replaces or merges `value` into the object `slot` (an object node or an element of an object
// array) and validates the result.
void set_object(json& slot, const json& value, const std::vector<entry>& table,
                const std::string& sub, const std::string& path) {
    merge_object(slot, value, table, sub, path);
    values scratch;
    walk_object(&slot, table, sub, path, scratch);
}

// ---------------------------------------------------------------------------------------------
// Topology
//
// "topology": {"root_ports": N,
//              "switches": [{"name", "parent", "port", "downstream_ports", "forward_latency_ns"}],
//              "endpoints": [{"name", "parent", "port", "link", "dwc", "smmu", "dram",
//                             "function"}]}
// A parent is "root" (port: a root port) or an earlier switch's name (port: one of its downstream
// ports). An endpoint's link/dwc/smmu/dram/function objects override the document's for it.

constexpr unsigned max_root_ports = 8;
constexpr unsigned max_downstream_ports = 16;
// A port index: of a root port or of a switch's downstream port (attach() checks the count).
constexpr unsigned max_port_index = std::max(max_root_ports, max_downstream_ports) - 1;
constexpr unsigned max_topology_switches = 16;
constexpr unsigned max_topology_endpoints = 16;
constexpr std::uint64_t default_switch_forward_ns = 150;
constexpr std::uint64_t max_switch_forward_ns = 1000000;
constexpr const char* root_parent = "root";

const std::vector<std::string>& endpoint_override_keys() {
    static const std::vector<std::string> v = {"link", "dwc", "smmu", "dram", "function"};
    return v;
}

void check_known(const json& obj, const std::string& path, const std::vector<std::string>& known) {
    if (!obj.is_object()) fail(path + ": expected an object, got " + describe_value(obj));
    for (auto it = obj.begin(); it != obj.end(); ++it)
        if (std::find(known.begin(), known.end(), it.key()) == known.end())
            fail(join_path(path, it.key()) + ": unknown key (known keys under " + path + ": " +
                 join_list(known) + ")");
}

std::string topo_string(const json& obj, const std::string& key, const std::string& path,
                        const std::string& def) {
    const auto it = obj.find(key);
    if (it == obj.end()) return def;
    const std::string here = join_path(path, key);
    if (!it->is_string()) fail(here + ": expected a string, got " + describe_value(*it));
    if (it->get<std::string>().empty()) fail(here + ": must not be empty");
    return it->get<std::string>();
}

std::uint64_t topo_uint(const json& obj, const std::string& key, const std::string& path,
                        std::uint64_t def, const rule& r) {
    const auto it = obj.find(key);
    if (it == obj.end()) return def;
    const std::string here = join_path(path, key);
    const std::uint64_t v = as_uint(*it, here);
    check_rule(r, v, here);
    return v;
}

const json& topo_array(const json& t, const std::string& key, const std::string& path,
                       unsigned max) {
    static const json empty = json::array();
    const auto it = t.find(key);
    if (it == t.end()) return empty;
    const std::string here = join_path(path, key);
    if (!it->is_array()) fail(here + ": expected an array of objects, got " + describe_value(*it));
    if (it->size() > max)
        fail(here + ": " + dec(it->size()) + " entries, at most " + dec(max) + " are supported");
    return *it;
}

topology_config check_topology(const json& t, const std::string& path, bool complete) {
    check_known(t, path, {"root_ports", "switches", "endpoints"});
    topology_config topo;
    topo.root_ports =
        static_cast<unsigned>(topo_uint(t, "root_ports", path, 1, in_range(1, max_root_ports)));
    // Who holds each (parent, port): "topology.switches[0]" etc.
    std::map<std::pair<std::string, unsigned>, std::string> taken;
    std::vector<std::string> known_parents = {root_parent};
    auto attach = [&](const std::string& at, const std::string& parent, unsigned port,
                      const std::vector<topology_switch_config>& upstream) {
        const std::string port_key = join_path(at, "port");
        unsigned ports = topo.root_ports;
        std::string holder = "the root complex";
        if (parent != root_parent) {
            const auto sw = std::find_if(upstream.begin(), upstream.end(),
                                         [&](const auto& s) { return s.name == parent; });
            if (sw == upstream.end())
                fail(join_path(at, "parent") + " = \"" + parent + "\": unknown parent (known: " +
                     join_list(known_parents) + "; a switch must be listed before its children)");
            ports = sw->downstream_ports;
            holder = "switch " + parent;
        }
        if (port >= ports)
            fail(port_key + " = " + dec(port) + ": " + holder + " has " + dec(ports) +
                 (parent == root_parent ? " root ports" : " downstream ports") + " (0.." +
                 dec(ports - 1) + ")");
        const auto slot = std::make_pair(parent, port);
        const auto prev = taken.find(slot);
        if (prev != taken.end())
            fail(port_key + " = " + dec(port) + ": " + parent + " port " + dec(port) +
                 " is already used by " + prev->second);
        taken[slot] = at;
    };
    std::vector<std::string> names;
    auto unique_name = [&](const std::string& at, const std::string& name) {
        if (name == root_parent) fail(join_path(at, "name") + " = \"root\": reserved");
        for (char ch : name)
            if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_')
                fail(join_path(at, "name") + " = \"" + name +
                     "\": only letters, digits and _ (it names the modules)");
        if (std::find(names.begin(), names.end(), name) != names.end())
            fail(join_path(at, "name") + " = \"" + name + "\": duplicate name");
        names.push_back(name);
    };

    const std::string sw_path = join_path(path, "switches");
    const json& switches = topo_array(t, "switches", path, max_topology_switches);
    for (std::size_t i = 0; i < switches.size(); ++i) {
        const std::string at = indexed(sw_path, i);
        const json& s = switches[i];
        check_known(s, at, {"name", "parent", "port", "downstream_ports", "forward_latency_ns"});
        topology_switch_config sc;
        if (s.find("name") == s.end()) fail(at + ": missing key name (children name their parent)");
        sc.name = topo_string(s, "name", at, "");
        unique_name(at, sc.name);
        sc.parent = topo_string(s, "parent", at, root_parent);
        sc.port = static_cast<unsigned>(topo_uint(s, "port", at, 0, in_range(0, max_port_index)));
        sc.downstream_ports = static_cast<unsigned>(
            topo_uint(s, "downstream_ports", at, 2, in_range(1, max_downstream_ports)));
        sc.forward_latency_ns = topo_uint(s, "forward_latency_ns", at, default_switch_forward_ns,
                                          in_range(0, max_switch_forward_ns));
        attach(at, sc.parent, sc.port, topo.switches);
        topo.switches.push_back(sc);
        known_parents.push_back(sc.name);
    }

    const std::string ep_path = join_path(path, "endpoints");
    const json& endpoints = topo_array(t, "endpoints", path, max_topology_endpoints);
    if (complete && endpoints.empty() && !switches.empty())
        fail(ep_path + ": empty, but " + sw_path + " is given (a topology needs an endpoint)");
    std::vector<std::string> ep_keys = {"name", "parent", "port"};
    for (const auto& k : endpoint_override_keys())
        ep_keys.push_back(k);
    for (std::size_t i = 0; i < endpoints.size(); ++i) {
        const std::string at = indexed(ep_path, i);
        const json& e = endpoints[i];
        check_known(e, at, ep_keys);
        topology_endpoint_config ec;
        ec.name = topo_string(e, "name", at, "ep" + dec(i));
        unique_name(at, ec.name);
        ec.parent = topo_string(e, "parent", at, root_parent);
        ec.port = static_cast<unsigned>(topo_uint(e, "port", at, 0, in_range(0, max_port_index)));
        attach(at, ec.parent, ec.port, topo.switches);
        // Override keys must exist in the schema (values are checked when the endpoint's
        // configuration is parsed).
        json scratch = json::object();
        for (const auto& k : endpoint_override_keys())
            if (e.contains(k)) merge_object(scratch, json{{k, e.at(k)}}, schema(), "", at);
        topo.endpoints.push_back(ec);
    }
    // The model has no empty slots: every root port and downstream port carries a link.
    if (complete && !endpoints.empty()) {
        for (unsigned r = 0; r < topo.root_ports; ++r)
            if (!taken.count({root_parent, r}))
                fail(join_path(path, "root_ports") + " = " + dec(topo.root_ports) + ": root port " +
                     dec(r) + " has nothing attached (give it a switch or an endpoint)");
        for (std::size_t i = 0; i < topo.switches.size(); ++i)
            for (unsigned d = 0; d < topo.switches[i].downstream_ports; ++d)
                if (!taken.count({topo.switches[i].name, d}))
                    fail(join_path(indexed(sw_path, i), "downstream_ports") + " = " +
                         dec(topo.switches[i].downstream_ports) + ": downstream port " + dec(d) +
                         " of " + topo.switches[i].name + " has nothing attached");
    }
    return topo;
}

// Objects merge key by key down to the switch and endpoint lists, which replace.
void merge_topology(json& base, const json& overlay) {
    if (!overlay.is_object())
        fail(std::string(topology_key) + ": expected an object, got " + describe_value(overlay));
    if (!base.is_object()) base = json::object();
    for (auto it = overlay.begin(); it != overlay.end(); ++it)
        base[it.key()] = it.value();
    check_topology(base, topology_key, false);
}

// --set topology.a[i].b=VALUE: any path inside the topology; an index one past the end appends.
void set_topology(json& cfg, const std::vector<segment>& segs, const std::string& text) {
    json work = cfg.contains(topology_key) ? cfg[topology_key] : json::object();
    json* node = &work;
    std::string path = topology_key;
    if (segs.front().has_index) fail(path + ": not an array, cannot take an index");
    for (std::size_t i = 1; i < segs.size(); ++i) {
        const segment& s = segs[i];
        if (!node->is_object()) {
            if (!node->is_null()) not_an_object(path, s.name);
            *node = json::object();
        }
        node = &(*node)[s.name];
        path = join_path(path, s.name);
        if (!s.has_index) continue;
        if (node->is_null()) *node = json::array();
        if (!node->is_array())
            fail(path + ": not an array, cannot take index [" + dec(s.index) + "]");
        if (s.index > node->size())
            fail(indexed(path, s.index) + ": index out of range (" + path + " has " +
                 dec(node->size()) + " entries; [" + dec(node->size()) + "] appends)");
        if (s.index == node->size()) node->push_back(json::object());
        node = &(*node)[s.index];
        path = indexed(path, s.index);
    }
    *node = set_value(text, false);
    if (node->is_string()) { // "0x10" is a number here as everywhere else
        std::uint64_t n = 0;
        if (parse_hex(node->get<std::string>(), n)) *node = n;
    }
    check_topology(work, topology_key, false);
    cfg[topology_key] = std::move(work);
}

void apply_set_to(json& cfg, const std::string& key, const std::string& text) {
    std::vector<segment> segs;
    if (!split_key(key, segs)) fail("malformed key path '" + key + "' (expected e.g. a.b[2].c)");
    if (!cfg.is_object()) cfg = json::object();

    const std::vector<entry>* table = &schema();
    std::string sub;  // path relative to *table
    std::string path; // full display path
    json* node = &cfg;
    for (std::size_t i = 0; i < segs.size(); ++i) {
        const segment& s = segs[i];
        const bool last = i + 1 == segs.size();
        const auto kids = children_of(*table, sub);
        if (is_topology(*table, sub, s.name)) return set_topology(cfg, segs, text);
        const child* c = find_child(kids, s.name);
        if (c == nullptr) unknown_key(path, s.name, kids);
        const std::string here = join_path(path, s.name);

        if (c->leaf == nullptr) { // an object
            if (s.has_index)
                fail(here + ": not an array, cannot take index [" + dec(s.index) + "]");
            json& slot = (*node)[s.name];
            sub = join_path(sub, s.name);
            path = here;
            if (last) return set_object(slot, set_value(text, false), *table, sub, path);
            if (!slot.is_object()) slot = json::object();
            node = &slot;
            continue;
        }

        const entry& e = *c->leaf;
        const bool is_array = e.kind == kind::uint_array || e.kind == kind::object_array;
        if (!s.has_index) {
            if (!last) {
                if (e.kind == kind::object_array)
                    fail(here + ": is an array of " + dec(e.count) +
                         " objects; use an index, e.g. " + here + "[0]." + segs[i + 1].name);
                not_an_object(here, segs[i + 1].name);
            }
            json v = set_value(text, e.kind == kind::choice || e.kind == kind::text);
            values scratch;
            walk_leaf(v, e, here, scratch);
            if (e.kind == kind::uint) v = as_uint(v, here); // store "0x.." as a number
            (*node)[s.name] = std::move(v);
            return;
        }

        if (!is_array) fail(here + ": not an array, cannot take index [" + dec(s.index) + "]");
        const std::string element = indexed(here, s.index);
        json& array = (*node)[s.name];
        if (!array.is_array()) array = e.def;
        if (e.variable) {
            // An index one past the end appends an element of field defaults.
            if (s.index >= e.count)
                fail(element + ": index out of range (" + here + " holds at most " + dec(e.count) +
                     " entries)");
            if (s.index > array.size())
                fail(element + ": index out of range (" + here + " has " + dec(array.size()) +
                     " entries; [" + dec(array.size()) + "] appends)");
            if (s.index == array.size()) array.push_back(element_default(e));
        } else if (s.index >= e.count) {
            fail(element + ": index out of range (" + here + " has " + dec(e.count) + " entries)");
        }
        while (array.size() <= s.index)
            array.push_back(e.def[array.size()]);
        json& slot = array[s.index];

        if (e.kind == kind::object_array) {
            table = &e.fields;
            sub.clear();
            path = element;
            if (last) return set_object(slot, set_value(text, false), *table, sub, path);
            if (!slot.is_object()) slot = json::object();
            node = &slot;
            continue;
        }
        // An element of an array of unsigned integers.
        if (!last) not_an_object(element, segs[i + 1].name);
        const auto n = as_uint(set_value(text, false), element);
        check_rule(e.r, n, element);
        slot = n;
        return;
    }
}

// Fills the typed view from the validated values: each key through its binding, a key without
// one (registered at run time) into p.registered.
void bind_values(const values& v, platform_config& p) {
    for (const auto& e : schema()) {
        if (e.kind == kind::object_array) {
            std::size_t n = e.count;
            if (e.variable) {
                n = 0;
                while (n < e.count && v.has(indexed(e.path, n) + "." + e.fields.front().path))
                    ++n;
                if (e.resize) e.resize(p, n);
            }
            for (std::size_t i = 0; i < n; ++i)
                for (const auto& f : e.fields)
                    if (f.bind) f.bind(p, v.at(indexed(e.path, i) + "." + f.path), i);
            continue;
        }
        json value;
        if (e.kind == kind::uint_array) {
            value = json::array();
            for (std::size_t i = 0; i < e.count; ++i)
                value.push_back(v.at(indexed(e.path, i)));
        } else {
            value = v.at(e.path);
        }
        if (e.bind)
            e.bind(p, value, 0);
        else
            p.registered[e.path] = std::move(value);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------------
// Public interface

json defaults() {
    json d = json::object();
    for (const auto& e : schema())
        set_path(d, e.path, e.def);
    return d;
}

void merge(json& base, const json& overlay) {
    merge_object(base, overlay, schema(), "", "");
}

void apply_set(json& cfg, const std::string& assignment) {
    const auto eq = assignment.find('=');
    const std::string quoted = "--set '" + shortened_assignment(assignment) + "'";
    if (eq == std::string::npos || eq == 0) fail(quoted + ": expected key=value");
    json work = cfg; // all or nothing: cfg is unchanged when the assignment is rejected
    try {
        apply_set_to(work, assignment.substr(0, eq), assignment.substr(eq + 1));
    } catch (const config_error& e) {
        fail(quoted + ": " + e.what());
    }
    cfg = std::move(work);
}

platform_config parse(const json& cfg) {
    values v;
    walk_object(&cfg, schema(), "", "", v);
    platform_config p{};
    bind_values(v, p);
    derive_and_check(p);

    if (cfg.is_object() && cfg.contains(topology_key)) {
        p.topology = check_topology(cfg.at(topology_key), topology_key, true);
        // Each endpoint: this document without the topology, its overrides merged over it.
        json base = cfg;
        base.erase(topology_key);
        const json& eps = cfg.at(topology_key).contains("endpoints")
                              ? cfg.at(topology_key).at("endpoints")
                              : json::array();
        for (std::size_t i = 0; i < eps.size(); ++i) {
            const std::string at = indexed(std::string(topology_key) + ".endpoints", i);
            json doc = base;
            for (const auto& k : endpoint_override_keys())
                if (eps[i].contains(k))
                    merge_object(doc, json{{k, eps[i].at(k)}}, schema(), "", at);
            try {
                p.endpoint_configs.push_back(parse(doc));
            } catch (const config_error& e) {
                fail(at + " (" + p.topology.endpoints[i].name + "): " + e.what());
            }
        }
    }
    check_burst_topology(p);
    return p;
}

json default_p2p_topology() {
    constexpr std::uint64_t provider_bar4_bytes = 4 * MiB;
    constexpr unsigned provider_bar = 4;
    json provider_bars = defaults()["function"]["test"]["bar_sizes"];
    provider_bars[provider_bar] = provider_bar4_bytes;
    return json{
        {"root_ports", 1},
        {"switches",
         json::array(
             {{{"name", "sw0"}, {"parent", root_parent}, {"port", 0}, {"downstream_ports", 2}}})},
        {"endpoints", json::array({{{"name", "provider"},
                                    {"parent", "sw0"},
                                    {"port", 0},
                                    {"function", {{"test", {{"bar_sizes", provider_bars}}}}}},
                                   {{"name", "client"}, {"parent", "sw0"}, {"port", 1}}})},
    };
}

} // namespace epvp::cfg
