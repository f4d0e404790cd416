/**
 * The function and operator lists the classifier decides by. Pure data and lookups; lower-case names without the
 * `pg_catalog.` prefix. Precedence, most restrictive first:
 * 1. SIDE_EFFECT: acts outside the statement's own rows (signals backends, reads or writes server files, changes
 *    settings, sleeps, takes session locks, consumes sequences, calls out over the network, runs SQL passed as text,
 *    or reads whole tables the classifier can't see). Flags `side_effect_function`. Wins over every safe list.
 * 2. KNOWN_SAFE: built-ins PostgreSQL declares IMMUTABLE or STABLE (generated, pg-catalog-functions.ts), the VOLATILE
 *    built-ins reviewed here as read-only, and a few read-only extension functions DBAs use.
 * 3. Anything else is `unknown_function`: it may be a user function that writes, so policy denies it unless the policy
 *    vouches for it under `functions.allow`.
 * To extend a list: add the name with a comment saying why, and a row in test/governance/corpus.ts. docs/sql-parser.md.
 */
import { PG_CATALOG_NON_VOLATILE_FUNCTIONS } from './pg-catalog-functions.js';

export const SIDE_EFFECT_FUNCTIONS: ReadonlySet<string> = new Set([
  // signal or stop server processes; sleep (holds a connection and its locks)
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_rotate_logfile_old',
  'pg_promote', 'pg_log_backend_memory_contexts', 'pg_log_standby_snapshot', 'pg_sleep', 'pg_sleep_for',
  'pg_sleep_until', 'pg_stat_force_next_flush', 'pg_isolation_test_session_is_blocked',
  // WAL, backups, replication slots and origins: change what replicas and backups see
  'pg_switch_wal', 'pg_create_restore_point', 'pg_backup_start', 'pg_backup_stop', 'pg_start_backup', 'pg_stop_backup',
  'pg_wal_replay_pause', 'pg_wal_replay_resume', 'pg_create_physical_replication_slot',
  'pg_create_logical_replication_slot', 'pg_drop_replication_slot', 'pg_replication_slot_advance',
  'pg_copy_physical_replication_slot', 'pg_copy_logical_replication_slot', 'pg_sync_replication_slots',
  'pg_logical_emit_message', 'pg_replication_origin_create', 'pg_replication_origin_drop',
  'pg_replication_origin_advance', 'pg_replication_origin_session_setup', 'pg_replication_origin_session_reset',
  'pg_replication_origin_xact_setup', 'pg_replication_origin_xact_reset',
  // decoding WAL consumes a slot (get) or reveals rows of any table, unmasked (peek)
  'pg_logical_slot_get_changes', 'pg_logical_slot_get_binary_changes', 'pg_logical_slot_peek_changes',
  'pg_logical_slot_peek_binary_changes',
  // server files and large objects: outside the database's tables and its masking
  'pg_read_file', 'pg_read_file_old', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_ls_logdir', 'pg_ls_waldir',
  'pg_ls_tmpdir', 'pg_ls_archive_statusdir', 'pg_ls_logicalmapdir', 'pg_ls_logicalsnapdir', 'pg_ls_replslotdir',
  'pg_ls_summariesdir', 'pg_hba_file_rules', 'pg_ident_file_mappings', 'pg_show_all_file_settings',
  'pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync', 'pg_logdir_ls',
  'lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_from_bytea', 'lo_put', 'lo_get', 'lo_open',
  'lo_close', 'lo_truncate', 'lo_truncate64', 'lo_lseek', 'lo_lseek64', 'lo_tell', 'lo_tell64', 'lowrite', 'loread',
  // settings, session locks, snapshots, notifications: outlive the statement
  'set_config', 'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock', 'pg_advisory_unlock_all', 'pg_advisory_unlock_shared', 'pg_export_snapshot', 'pg_notify',
  'setseed',
  // sequences and transaction ids: consumed even when the transaction rolls back
  'nextval', 'setval', 'txid_current', 'pg_current_xact_id', 'pg_nextoid',
  // statistics, catalog and index maintenance written as a function call
  'pg_stat_reset', 'pg_stat_reset_shared', 'pg_stat_reset_single_table_counters', 'pg_stat_reset_single_function_counters',
  'pg_stat_reset_slru', 'pg_stat_reset_replication_slot', 'pg_stat_reset_subscription_stats', 'pg_stat_reset_backend_stats',
  'pg_stat_statements_reset', 'pg_clear_attribute_stats', 'pg_clear_relation_stats', 'pg_restore_attribute_stats',
  'pg_restore_relation_stats', 'pg_import_system_collations', 'pg_extension_config_dump', 'pg_stop_making_pinned_objects',
  'brin_summarize_range', 'brin_summarize_new_values', 'brin_desummarize_range', 'gin_clean_pending_list', 'amvalidate',
  'binary_upgrade_create_empty_extension', 'binary_upgrade_set_record_init_privs', 'binary_upgrade_set_missing_value',
  'pg_prewarm',
  // SQL passed as text runs unseen; whole tables read by name bypass the classifier and masking
  'query_to_xml', 'query_to_xmlschema', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'cursor_to_xmlschema',
  'table_to_xml', 'table_to_xmlschema', 'table_to_xml_and_xmlschema', 'schema_to_xml', 'schema_to_xmlschema',
  'schema_to_xml_and_xmlschema', 'database_to_xml', 'database_to_xmlschema', 'database_to_xml_and_xmlschema',
  'ts_stat', 'ts_rewrite',
  // remote execution (dblink, postgres_fdw helpers) and shelling out
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u', 'dblink_disconnect', 'dblink_send_query',
  'dblink_get_result', 'dblink_open', 'dblink_fetch', 'dblink_close', 'dblink_cancel_query', 'postgres_fdw_disconnect',
  'postgres_fdw_disconnect_all', 'system',
]);

/** VOLATILE built-ins that only read: reviewed one by one (PostgreSQL marks them volatile because results change). */
const REVIEWED_VOLATILE_READERS = [
  'clock_timestamp', 'timeofday', 'random', 'random_normal', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'array_sample',
  'array_shuffle', 'currval', 'lastval', 'current_query', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids',
  'pg_is_in_recovery', 'pg_is_wal_replay_paused', 'pg_get_wal_replay_pause_state', 'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn', 'pg_last_xact_replay_timestamp', 'pg_current_wal_lsn', 'pg_current_wal_insert_lsn',
  'pg_current_wal_flush_lsn', 'pg_current_logfile', 'pg_database_size', 'pg_relation_size', 'pg_table_size',
  'pg_indexes_size', 'pg_total_relation_size', 'pg_tablespace_size', 'pg_lock_status', 'pg_control_checkpoint',
  'pg_control_init', 'pg_control_recovery', 'pg_control_system', 'pg_jit_available', 'pg_notification_queue_usage',
  'pg_partition_tree', 'pg_partition_ancestors', 'pg_xact_commit_timestamp', 'pg_xact_commit_timestamp_origin',
  'pg_xact_status', 'txid_status', 'pg_last_committed_xact', 'pg_stat_get_io', 'pg_stat_get_backend_io',
  'pg_stat_get_backend_wal', 'pg_stat_get_recovery_prefetch', 'pg_stat_have_stats', 'pg_stat_clear_snapshot',
  'pg_stat_get_xact_blocks_fetched', 'pg_stat_get_xact_blocks_hit', 'pg_stat_get_xact_function_calls',
  'pg_stat_get_xact_function_self_time', 'pg_stat_get_xact_function_total_time', 'pg_stat_get_xact_numscans',
  'pg_stat_get_xact_tuples_deleted', 'pg_stat_get_xact_tuples_fetched', 'pg_stat_get_xact_tuples_hot_updated',
  'pg_stat_get_xact_tuples_inserted', 'pg_stat_get_xact_tuples_newpage_updated', 'pg_stat_get_xact_tuples_returned',
  'pg_stat_get_xact_tuples_updated', 'pg_get_backend_memory_contexts', 'pg_get_shmem_allocations',
  'pg_get_shmem_allocations_numa', 'pg_get_wait_events', 'pg_get_aios', 'pg_get_loaded_modules',
  'pg_get_multixact_members', 'pg_get_wal_resource_managers', 'pg_get_wal_summarizer_state', 'pg_available_wal_summaries',
  'pg_collation_actual_version', 'pg_database_collation_actual_version', 'pg_sequence_last_value', 'pg_get_sequence_data',
  'pg_prepared_xact', 'pg_show_replication_origin_status', 'pg_replication_origin_progress',
  'pg_replication_origin_session_progress', 'pg_replication_origin_session_is_setup',
];

/** Read-only functions of extensions DBAs commonly install (the schema they live in is the policy's business). */
const EXTENSION_READERS = [
  'pg_stat_statements', 'pg_stat_statements_info', 'pgstattuple', 'pgstattuple_approx', 'pgstatindex', 'pgstatginindex',
  'pgstathashindex', 'pg_relpages', 'pg_buffercache_pages', 'pg_buffercache_summary', 'pg_buffercache_usage_counts',
  'pg_visibility', 'pg_visibility_map', 'pg_visibility_map_summary', 'bt_metap', 'bt_page_stats', 'pgrowlocks',
  'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4', 'uuid_nil', 'similarity', 'word_similarity',
  'strict_word_similarity', 'show_trgm', 'levenshtein', 'levenshtein_less_equal', 'soundex', 'difference', 'metaphone',
  'dmetaphone', 'dmetaphone_alt', 'unaccent', 'digest', 'hmac', 'crypt', 'gen_salt', 'gen_random_bytes',
];

export const KNOWN_SAFE_FUNCTIONS: ReadonlySet<string> = new Set(
  [...PG_CATALOG_NON_VOLATILE_FUNCTIONS, ...REVIEWED_VOLATILE_READERS, ...EXTENSION_READERS].filter((f) => !SIDE_EFFECT_FUNCTIONS.has(f)),
);

/** Side-effect functions that also change the session: `set_config('role', ...)` is SET ROLE by another name. */
export const SESSION_CHANGING_FUNCTIONS: ReadonlySet<string> = new Set(['set_config']);

/**
 * Every operator symbol defined in `pg_catalog` (PostgreSQL 15 and 18). An operator is a function call in disguise: one
 * outside this set, or qualified with another schema (`OPERATOR(app.===)`), is reported as the unknown function
 * `operator(<symbol>)`. A user-defined overload of a built-in symbol can't be told apart from the text alone.
 */
export const BUILTIN_OPERATORS: ReadonlySet<string> = new Set(
  ('!! !~ !~* !~~ !~~* # ## #- #> #>> % & && &< &<| &> * *< *<= *<> *= *> *>= + - -> ->> -|- / < <-> << <<= <<| <= ' +
    '<> != <@ <^ = > >= >> >>= >^ ? ?# ?& ?- ?-| ?| ?|| @ @-@ @> @? @@ @@@ ^ ^@ | |&> |/ |>> || ||/ ~ ~* ~<=~ ~<~ ~= ' +
    '~>=~ ~>~ ~~ ~~*').split(' '),
);

/** `pg_catalog.pg_sleep` and `PG_SLEEP` both name the built-in `pg_sleep`. */
export function builtinName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith('pg_catalog.') ? lower.slice('pg_catalog.'.length) : lower;
}

export type FunctionVerdict = 'side_effect' | 'safe' | 'unknown';

/**
 * What the lists say about a called function, as the classifier reported it (`schema.name` or `name`).
 * A side-effect name counts even under another schema (`public.dblink` is still dblink); a safe name only counts
 * unqualified or in pg_catalog, since `app.lower` is somebody's own function.
 */
export function functionVerdict(name: string): FunctionVerdict {
  const builtin = builtinName(name);
  const bare = builtin.slice(builtin.lastIndexOf('.') + 1);
  if (SIDE_EFFECT_FUNCTIONS.has(bare)) return 'side_effect';
  return KNOWN_SAFE_FUNCTIONS.has(builtin) ? 'safe' : 'unknown';
}

/** Whether every function a classified statement calls is on the safe list (so none of them can change settings). */
export function callsOnlySafeFunctions(flags: readonly string[]): boolean {
  return !flags.includes('side_effect_function') && !flags.includes('unknown_function');
}
