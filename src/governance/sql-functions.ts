/**
 * The maintained function lists the classifier decides by. Lower-case, without the `pg_catalog.` prefix.
 * - SIDE_EFFECT: functions that act outside the statement's own rows (signal backends, read or write server files,
 *   change settings, sleep, touch sequences, call out over the network). Their presence flags `side_effect_function`.
 * - KNOWN_SAFE: built-ins that only compute a value or read statistics. Any function on neither list is
 *   `unknown_function`: it may be user-defined with side effects, so policy denies it unless a rule allows it.
 * To extend: add the name here with a test row in test/governance/corpus.ts; docs/sql-parser.md explains the policy.
 */

export const SIDE_EFFECT_FUNCTIONS: ReadonlySet<string> = new Set([
  // backends and server process
  'pg_terminate_backend', 'pg_cancel_backend', 'pg_reload_conf', 'pg_rotate_logfile', 'pg_promote',
  'pg_log_backend_memory_contexts', 'pg_sleep', 'pg_sleep_for', 'pg_sleep_until',
  // WAL, replication and backups
  'pg_switch_wal', 'pg_create_restore_point', 'pg_backup_start', 'pg_backup_stop', 'pg_wal_replay_pause',
  'pg_wal_replay_resume', 'pg_create_physical_replication_slot', 'pg_create_logical_replication_slot',
  'pg_drop_replication_slot', 'pg_replication_slot_advance', 'pg_logical_emit_message', 'pg_copy_physical_replication_slot',
  'pg_copy_logical_replication_slot', 'pg_replication_origin_create', 'pg_replication_origin_drop',
  // server files
  'pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'pg_ls_logdir', 'pg_ls_waldir', 'pg_ls_tmpdir',
  'pg_ls_archive_statusdir', 'pg_file_write', 'pg_file_rename', 'pg_file_unlink', 'pg_file_sync',
  'lo_import', 'lo_export', 'lo_unlink', 'lo_create', 'lo_creat', 'lo_from_bytea', 'lo_put', 'lowrite', 'lo_open',
  // settings, locks, sequences, notifications
  'set_config', 'pg_advisory_lock', 'pg_advisory_lock_shared', 'pg_advisory_xact_lock', 'pg_advisory_xact_lock_shared',
  'pg_try_advisory_lock', 'pg_try_advisory_lock_shared', 'pg_try_advisory_xact_lock', 'pg_try_advisory_xact_lock_shared',
  'pg_advisory_unlock', 'pg_advisory_unlock_all', 'pg_advisory_unlock_shared', 'nextval', 'setval', 'pg_notify',
  'pg_stat_reset', 'pg_stat_reset_shared', 'pg_stat_reset_single_table_counters', 'pg_stat_statements_reset',
  'txid_current', 'pg_current_xact_id',
  // remote execution and code loading
  'dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u', 'dblink_send_query', 'dblink_open', 'dblink_fetch',
  'query_to_xml', 'query_to_xml_and_xmlschema', 'cursor_to_xml', 'table_to_xml',
]);

export const KNOWN_SAFE_FUNCTIONS: ReadonlySet<string> = new Set([
  // aggregates and window functions
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'percentile_cont', 'percentile_disc', 'mode', 'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile',
  'lag', 'lead', 'first_value', 'last_value', 'nth_value', 'bit_and', 'bit_or', 'corr', 'covar_pop', 'covar_samp',
  // conditionals and comparisons
  'coalesce', 'nullif', 'greatest', 'least', 'num_nulls', 'num_nonnulls',
  // strings
  'lower', 'upper', 'initcap', 'length', 'char_length', 'character_length', 'octet_length', 'bit_length', 'substr',
  'substring', 'position', 'strpos', 'trim', 'btrim', 'ltrim', 'rtrim', 'lpad', 'rpad', 'replace', 'translate', 'concat',
  'concat_ws', 'format', 'left', 'right', 'repeat', 'reverse', 'split_part', 'starts_with', 'regexp_replace', 'regexp_match',
  'regexp_matches', 'regexp_split_to_array', 'regexp_split_to_table', 'regexp_like', 'regexp_count', 'regexp_substr',
  'regexp_instr', 'to_char', 'to_number', 'to_date', 'to_timestamp', 'md5', 'sha224', 'sha256', 'sha384', 'sha512',
  'encode', 'decode', 'quote_ident', 'quote_literal', 'quote_nullable', 'ascii', 'chr', 'overlay', 'string_to_array',
  'array_to_string', 'unistr', 'normalize', 'casefold',
  // numbers
  'abs', 'ceil', 'ceiling', 'floor', 'round', 'trunc', 'mod', 'power', 'pow', 'sqrt', 'cbrt', 'exp', 'ln', 'log', 'log10',
  'sign', 'div', 'width_bucket', 'scale', 'gcd', 'lcm', 'pi', 'degrees', 'radians',
  // dates and times
  'now', 'current_timestamp', 'clock_timestamp', 'statement_timestamp', 'transaction_timestamp', 'timeofday',
  'date_trunc', 'date_part', 'date_bin', 'extract', 'age', 'make_interval', 'make_date', 'make_time', 'make_timestamp',
  'make_timestamptz', 'justify_days', 'justify_hours', 'justify_interval', 'isfinite', 'to_timestamp', 'timezone',
  // arrays and sets
  'array_length', 'array_lower', 'array_upper', 'array_position', 'array_positions', 'array_remove', 'array_replace',
  'array_append', 'array_prepend', 'array_cat', 'array_dims', 'array_ndims', 'cardinality', 'unnest', 'generate_series',
  'generate_subscripts', 'array_fill', 'trim_array',
  // json
  'to_json', 'to_jsonb', 'row_to_json', 'array_to_json', 'json_build_object', 'jsonb_build_object', 'json_build_array',
  'jsonb_build_array', 'json_object', 'jsonb_object', 'json_extract_path', 'jsonb_extract_path', 'json_extract_path_text',
  'jsonb_extract_path_text', 'json_array_length', 'jsonb_array_length', 'json_each', 'jsonb_each', 'json_each_text',
  'jsonb_each_text', 'json_object_keys', 'jsonb_object_keys', 'json_typeof', 'jsonb_typeof', 'jsonb_set', 'jsonb_insert',
  'jsonb_strip_nulls', 'json_strip_nulls', 'jsonb_pretty', 'jsonb_path_query', 'jsonb_path_exists', 'jsonb_path_match',
  'json_array_elements', 'jsonb_array_elements', 'json_array_elements_text', 'jsonb_array_elements_text',
  // uuids and misc
  'gen_random_uuid', 'uuid_generate_v4', 'random', 'version', 'current_database', 'current_schema', 'current_schemas',
  'current_user', 'session_user', 'current_setting', 'inet_client_addr', 'inet_server_addr', 'pg_backend_pid',
  'pg_postmaster_start_time', 'pg_conf_load_time', 'has_table_privilege', 'has_column_privilege', 'has_schema_privilege',
  'has_database_privilege', 'has_function_privilege', 'pg_has_role', 'format_type', 'pg_typeof', 'col_description',
  'obj_description', 'to_regclass', 'to_regtype', 'host', 'masklen', 'family',
  // statistics and sizes DBAs read during incidents
  'pg_relation_size', 'pg_total_relation_size', 'pg_table_size', 'pg_indexes_size', 'pg_database_size', 'pg_size_pretty',
  'pg_size_bytes', 'pg_column_size', 'pg_is_in_recovery', 'pg_last_xact_replay_timestamp', 'pg_last_wal_receive_lsn',
  'pg_last_wal_replay_lsn', 'pg_current_wal_lsn', 'pg_current_wal_insert_lsn', 'pg_current_wal_flush_lsn',
  'pg_wal_lsn_diff', 'pg_is_wal_replay_paused', 'pg_get_wal_replay_pause_state', 'pg_blocking_pids', 'pg_safe_snapshot_blocking_pids',
  'pg_stat_get_activity', 'pg_get_viewdef', 'pg_get_indexdef', 'pg_get_constraintdef', 'pg_get_functiondef',
  'pg_get_triggerdef', 'pg_get_userbyid', 'pg_get_expr', 'pg_get_serial_sequence', 'pg_xact_commit_timestamp',
  'pg_stat_get_live_tuples', 'pg_stat_get_dead_tuples', 'txid_current_snapshot', 'pg_current_snapshot', 'pg_snapshot_xmin',
  'pg_visible_in_snapshot', 'pg_postmaster_start_time', 'pg_tablespace_size', 'pg_relation_filepath',
]);

/** `pg_catalog.pg_sleep` and `PG_SLEEP` both name the built-in `pg_sleep`. */
export function builtinName(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith('pg_catalog.') ? lower.slice('pg_catalog.'.length) : lower;
}
