/*
 * plugboard_plugin.h — the C ABI of Plugboard adapters loaded at run time.
 *
 * A plugin is a shared library listed under "plugins" in adapters.json. It
 * exports one function, `plugboard_plugin_entry`, returning a pointer to a
 * static `plugboard_plugin_v1` table. Everything crossing the boundary is a
 * NUL-terminated UTF-8 JSON string, so no Swift type layout is shared: a plugin
 * may be written in C, Rust, Zig or Swift, and built outside this package.
 *
 * Versioning: `abi_version` is the first field and the only one the kernel
 * reads before checking it; a table of another version is refused with an
 * error naming the file and both versions. `contract_version` is the version
 * of the port's JSON operations (docs/ADAPTERS.md, "Run-time plugins"): each
 * port has its own, so one port's operations can change without touching the
 * others' plugins.
 *
 * Threads: `call` may run on several threads at once, never on Swift's
 * cooperative pool, so it may block. The kernel never unloads a library.
 */
#ifndef PLUGBOARD_PLUGIN_H
#define PLUGBOARD_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The layout of `plugboard_plugin_v1` this header describes. */
#define PLUGBOARD_PLUGIN_ABI_VERSION 1u

/** The version of the storage port's JSON operations (get, put, delete, query, batch_put, scan, count, check). */
#define PLUGBOARD_STORAGE_CONTRACT_VERSION 1u
/** The crm port's operations (find_or_create_contact, create_ticket, find_open_ticket, ticket, add_note,
 *  update_ticket, link_ticket, check). */
#define PLUGBOARD_CRM_CONTRACT_VERSION 1u
/** The tasks port's operations (create_task, update_description, comment, get_task, check). */
#define PLUGBOARD_TASKS_CONTRACT_VERSION 1u
/** The objects port's operations (put, get, head, delete, url, check); bodies travel as base64. */
#define PLUGBOARD_OBJECTS_CONTRACT_VERSION 1u
/** The llm port's operations (generate, check). */
#define PLUGBOARD_LLM_CONTRACT_VERSION 1u
/** The notify port's operations (send, check). */
#define PLUGBOARD_NOTIFY_CONTRACT_VERSION 1u

/** The name of the exported entry function. */
#define PLUGBOARD_PLUGIN_ENTRY_SYMBOL "plugboard_plugin_entry"

typedef struct plugboard_plugin_v1 {
    /** PLUGBOARD_PLUGIN_ABI_VERSION as the plugin was compiled. Always first. */
    uint32_t abi_version;
    /** The port's contract version (PLUGBOARD_STORAGE_CONTRACT_VERSION for "storage",
     *  PLUGBOARD_TASKS_CONTRACT_VERSION for "tasks", ...). */
    uint32_t contract_version;
    /** The port this adapter implements: "storage", "crm", "tasks", "objects", "llm" or "notify". */
    const char *port;
    /** The adapter name used in adapters.json ("adapter": "<name>"). */
    const char *name;
    /** {"summary": "...", "fields": [{"name", "kind", "required", "default", "secret", "environment", "description"}],
     *  "capabilities": ["..."]}; kinds: string, integer, number, boolean, string_list, object. */
    const char *descriptor_json;
    /** Opens an instance from its validated settings (a JSON object of field values).
     *  Returns NULL and sets *error_json ({"code": "...", "message": "..."}) on failure. */
    void *(*open)(const char *settings_json, char **error_json);
    /** Runs one operation. Returns {"ok": result} or {"error": {"code": "...", "message": "...",
     *  "retryable": bool, "retry_after": seconds}} ("retryable" and "retry_after" optional); never NULL.
     *  The caller frees the result with free_string. An operation the plugin does not know is
     *  {"error": {"code": "unsupported", ...}}. */
    char *(*call)(void *instance, const char *operation, const char *arguments_json);
    /** Releases an instance. Called once; no call follows. */
    void (*close)(void *instance);
    /** Frees a string the plugin returned (call results, open errors). */
    void (*free_string)(char *string);
} plugboard_plugin_v1;

/** The function a plugin exports under PLUGBOARD_PLUGIN_ENTRY_SYMBOL. */
typedef const plugboard_plugin_v1 *(*plugboard_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
