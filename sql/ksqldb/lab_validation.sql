-- Lab validation (catalog app lab_validation).
-- Reads LIMS spec limits and test results; writes <prefix>.ksql.lab_spec_limits (table state) and
-- <prefix>.ksql.lab_results_oos, which drives the lab out-of-spec alert.
-- Placeholders: ${topicPrefix}.

-- 1. Specification limit changes. INT UNSIGNED spec_id arrives as BIGINT.
CREATE STREAM IF NOT EXISTS lab_spec_limits_cdc (
  after STRUCT<spec_id BIGINT, material_id STRING, test_code STRING, lower_limit DECIMAL(18, 6), upper_limit DECIMAL(18, 6), unit STRING, spec_version INT>,
  op STRING
) WITH (KAFKA_TOPIC='${topicPrefix}.lims.lims.spec_limits', VALUE_FORMAT='AVRO');

-- 2. Test result changes.
CREATE STREAM IF NOT EXISTS lab_test_results_cdc (
  after STRUCT<result_id BIGINT, sample_id BIGINT, spec_id BIGINT, test_code STRING, result_value DECIMAL(18, 6), unit STRING, status STRING, analyst STRING, measured_at TIMESTAMP>,
  op STRING
) WITH (KAFKA_TOPIC='${topicPrefix}.lims.lims.test_results', VALUE_FORMAT='AVRO');

-- 3. Latest limits per spec_id, keyed by ksqlDB itself (KAFKA key format) so the join below is
--    co-partitioned with the re-keyed results. Deletes (after IS NULL) are ignored: specs are
--    versioned, never deleted while results reference them.
CREATE TABLE IF NOT EXISTS lab_spec_limits
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.lab_spec_limits', KEY_FORMAT='KAFKA', VALUE_FORMAT='AVRO') AS
  SELECT after->spec_id AS spec_id,
         LATEST_BY_OFFSET(after->material_id) AS material_id,
         LATEST_BY_OFFSET(after->test_code) AS test_code,
         LATEST_BY_OFFSET(after->lower_limit) AS lower_limit,
         LATEST_BY_OFFSET(after->upper_limit) AS upper_limit,
         LATEST_BY_OFFSET(after->unit) AS unit,
         LATEST_BY_OFFSET(after->spec_version) AS spec_version
  FROM lab_spec_limits_cdc
  WHERE after IS NOT NULL
  GROUP BY after->spec_id
  EMIT CHANGES;

-- 4. Results outside their limits (a NULL limit means no bound on that side). Invalidated results
--    are not reported; updates are re-evaluated, so a corrected value that is still out of spec
--    is reported again.
CREATE STREAM IF NOT EXISTS lab_results_oos
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.lab_results_oos', VALUE_FORMAT='AVRO') AS
  SELECT r.after->result_id AS result_id,
         r.after->sample_id AS sample_id,
         r.after->test_code AS test_code,
         r.after->result_value AS result_value,
         s.lower_limit AS lower_limit,
         s.upper_limit AS upper_limit,
         r.after->unit AS unit,
         s.spec_version AS spec_version,
         r.after->analyst AS analyst,
         -- DATETIME(6) arrives as TIMESTAMP (time.precision.mode=connect).
         r.after->measured_at AS measured_at
  FROM lab_test_results_cdc r
  JOIN lab_spec_limits s ON r.after->spec_id = s.spec_id
  WHERE r.op IN ('c', 'r', 'u')
    AND r.after->status <> 'INVALIDATED'
    AND ((s.lower_limit IS NOT NULL AND r.after->result_value < s.lower_limit)
      OR (s.upper_limit IS NOT NULL AND r.after->result_value > s.upper_limit))
  EMIT CHANGES;
