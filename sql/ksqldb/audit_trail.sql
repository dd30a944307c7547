-- Audit trail (catalog app audit_trail).
-- Every CDC change of every captured table into <prefix>.audit.cdc_changes, which the sink
-- archives in the object-locked S3 bucket (21 CFR Part 11 / EU GMP Annex 11 style record).
-- Placeholders: ${topicPrefix}; inside the @foreach block also ${domain}, ${database},
-- ${table}, ${topic} and ${primaryKeyText} (the row's key columns as text), repeated for every
-- captured table of the catalog, so a new table is audited without editing this file.

-- 1. The audit stream, declared once so every table's changes share one schema. before/after
--    are kept whole as JSON text: the record must not lose a column when a table grows.
--    event_key identifies the change itself and is the same however often it is copied:
--    <database>.<table>/<binlog file>:<position>:<row in the event>/<gtid>/<primary key>.
--    Snapshot reads share one binlog position, so the primary key is part of it. Two archive
--    records with one event_key are duplicates (docs/runbook.md "Changing a ksqlDB app").
CREATE STREAM IF NOT EXISTS audit_cdc_changes (
  source_db STRING,
  source_table STRING,
  op STRING,
  before_json STRING,
  after_json STRING,
  binlog_file STRING,
  binlog_pos BIGINT,
  gtid STRING,
  commit_ts_ms BIGINT,
  captured_ts_ms BIGINT,
  event_key STRING
) WITH (KAFKA_TOPIC='${topicPrefix}.audit.cdc_changes', VALUE_FORMAT='AVRO');

-- @foreach captured_table
-- 2. The table's change stream; its value schema (all columns) comes from Schema Registry.
CREATE STREAM IF NOT EXISTS audit_${domain}_${table}_cdc WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='AVRO');

-- 3. Copy every change: operation, before/after images, binlog file/position, GTID, commit
--    time (source.ts_ms), capture time (ts_ms) and the event key.
INSERT INTO audit_cdc_changes
  SELECT '${database}' AS source_db,
         '${table}' AS source_table,
         op AS op,
         TO_JSON_STRING(before) AS before_json,
         TO_JSON_STRING(after) AS after_json,
         source->file AS binlog_file,
         source->pos AS binlog_pos,
         source->gtid AS gtid,
         source->ts_ms AS commit_ts_ms,
         ts_ms AS captured_ts_ms,
         CONCAT_WS('/', '${database}.${table}',
                   CONCAT(source->file, ':', CAST(source->pos AS STRING), ':', CAST(source->row AS STRING)),
                   COALESCE(source->gtid, ''),
                   ${primaryKeyText}) AS event_key
  FROM audit_${domain}_${table}_cdc
  EMIT CHANGES;
-- @end
