-- Order monitoring (catalog app order_monitoring).
-- Reads SAP sales order changes; writes <prefix>.ksql.orders_by_status_5m and <prefix>.ksql.orders_stuck.
-- Placeholders: ${topicPrefix} (confluent.topicPrefix), ${orderStuckSlaMinutes} (ksqldb.orderStuckSlaMinutes).
-- Debezium (MySqlCdcSourceV2, after.state.only=false) writes AVRO envelopes: before, after, source, op, ts_ms.
-- DATETIME columns arrive as TIMESTAMP (time.precision.mode=connect: milliseconds), ENUMs as STRING,
-- DECIMAL(p,s) as DECIMAL(p,s) (decimal.handling.mode=precise).

-- 1. The sales order change stream. Only the columns the queries use are declared; the
--    contract test checks each against sql/mysql/sap.sql.
CREATE STREAM IF NOT EXISTS om_sales_orders_cdc (
  before STRUCT<order_id BIGINT, status STRING, status_changed_at TIMESTAMP>,
  after STRUCT<order_id BIGINT, order_number STRING, plant STRING, customer_id STRING, status STRING, status_changed_at TIMESTAMP>,
  source STRUCT<ts_ms BIGINT>,
  op STRING,
  ts_ms BIGINT
) WITH (KAFKA_TOPIC='${topicPrefix}.sap.sap_orders.sales_orders', VALUE_FORMAT='AVRO');

-- 2. Status changes per plant and status in 5-minute tumbling windows. A change is an insert,
--    a snapshot read, or an update whose status differs from the before image.
CREATE TABLE IF NOT EXISTS orders_by_status_5m
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.orders_by_status_5m', KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO') AS
  SELECT after->plant AS plant,
         after->status AS status,
         COUNT(*) AS status_changes
  FROM om_sales_orders_cdc
  WINDOW TUMBLING (SIZE 5 MINUTES)
  WHERE op IN ('c', 'r') OR (op = 'u' AND before->status <> after->status)
  GROUP BY after->plant, after->status
  EMIT CHANGES;

-- 3. Orders stuck past the SLA (UNIX_TIMESTAMP gives epoch milliseconds; minutes x 60000, BIGINT so it cannot overflow).
--    ksqlDB has no timers, so a stuck order is seen on its next change:
--    a status change that left a status held longer than the SLA (reported with the old status),
--    or any other update while the order still sits in an open status longer than the SLA
--    (dwell measured against the commit time, source.ts_ms).
CREATE STREAM IF NOT EXISTS orders_stuck
  WITH (KAFKA_TOPIC='${topicPrefix}.ksql.orders_stuck', VALUE_FORMAT='AVRO') AS
  SELECT after->order_id AS order_id,
         after->order_number AS order_number,
         after->plant AS plant,
         after->customer_id AS customer_id,
         CASE WHEN before->status <> after->status THEN before->status ELSE after->status END AS stuck_status,
         CASE WHEN before->status <> after->status
              THEN (UNIX_TIMESTAMP(after->status_changed_at) - UNIX_TIMESTAMP(before->status_changed_at)) / 60000
              ELSE (source->ts_ms - UNIX_TIMESTAMP(after->status_changed_at)) / 60000 END AS minutes_in_status,
         ${orderStuckSlaMinutes} AS sla_minutes,
         FROM_UNIXTIME(source->ts_ms) AS detected_at
  FROM om_sales_orders_cdc
  WHERE op = 'u'
    AND ((before->status <> after->status
          AND UNIX_TIMESTAMP(after->status_changed_at) - UNIX_TIMESTAMP(before->status_changed_at) > CAST(${orderStuckSlaMinutes} AS BIGINT) * 60000)
      OR (before->status = after->status
          AND after->status NOT IN ('SHIPPED', 'CANCELLED')
          AND source->ts_ms - UNIX_TIMESTAMP(after->status_changed_at) > CAST(${orderStuckSlaMinutes} AS BIGINT) * 60000))
  EMIT CHANGES;
