-- Manufacturing events (catalog app manufacturing_events).
-- Reads MES machine events; writes <prefix>.ksql.machine_alarms and <prefix>.ksql.machine_event_counts_5m.
-- Placeholders: ${topicPrefix}.

-- 1. Machine event changes. Events are insert-only on the shop floor, so only c (insert) and
--    r (snapshot read) count below.
CREATE STREAM IF NOT EXISTS mes_machine_events_cdc (
  after STRUCT<event_id BIGINT, machine_id STRING, line_id STRING, batch_number STRING, event_type STRING, severity STRING, parameter_name STRING, parameter_value DECIMAL(18, 6), unit STRING, message STRING, occurred_at TIMESTAMP>,
  op STRING
) WITH (KAFKA_TOPIC='${topicPrefix}.mes.mes.machine_events', VALUE_FORMAT='AVRO');

-- 2. Alarm-severity events (ALARM, CRITICAL), one record per event, for the machine alarm alert.
CREATE STREAM IF NOT EXISTS machine_alarms
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.machine_alarms', VALUE_FORMAT='AVRO') AS
  SELECT after->event_id AS event_id,
         after->machine_id AS machine_id,
         after->line_id AS line_id,
         after->batch_number AS batch_number,
         after->event_type AS event_type,
         after->severity AS severity,
         after->parameter_name AS parameter_name,
         after->parameter_value AS parameter_value,
         after->unit AS unit,
         after->message AS message,
         after->occurred_at AS occurred_at
  FROM mes_machine_events_cdc
  WHERE op IN ('c', 'r') AND after->severity IN ('ALARM', 'CRITICAL')
  EMIT CHANGES;

-- 3. Event counts per machine and line in 5-minute tumbling windows, with the alarm share.
CREATE TABLE IF NOT EXISTS machine_event_counts_5m
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.machine_event_counts_5m', KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO') AS
  SELECT after->machine_id AS machine_id,
         after->line_id AS line_id,
         COUNT(*) AS event_count,
         SUM(CASE WHEN after->severity IN ('ALARM', 'CRITICAL') THEN 1 ELSE 0 END) AS alarm_count
  FROM mes_machine_events_cdc
  WINDOW TUMBLING (SIZE 5 MINUTES)
  WHERE op IN ('c', 'r')
  GROUP BY after->machine_id, after->line_id
  EMIT CHANGES;
