-- Manufacturing execution (database: mes).
-- Production batches and the shop-floor machine events recorded against them.

CREATE TABLE IF NOT EXISTS batches (
  batch_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  batch_number  VARCHAR(10)   NOT NULL,
  plant         CHAR(4)       NOT NULL,
  line_id       VARCHAR(16)   NOT NULL,
  material_id   VARCHAR(18)   NOT NULL,
  planned_qty   DECIMAL(13,3) NOT NULL,
  actual_qty    DECIMAL(13,3) NULL,
  unit          VARCHAR(3)    NOT NULL,
  status        ENUM('PLANNED','IN_PROGRESS','ON_HOLD','COMPLETED','RELEASED','REJECTED') NOT NULL DEFAULT 'PLANNED',
  started_at    DATETIME(6)   NULL,
  completed_at  DATETIME(6)   NULL,
  updated_at    DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (batch_id),
  UNIQUE KEY uq_batches_number (batch_number)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS machine_events (
  event_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  machine_id       VARCHAR(32)   NOT NULL,
  line_id          VARCHAR(16)   NOT NULL,
  batch_number     VARCHAR(10)   NULL,                     -- NULL between batches (cleaning, idle)
  event_type       ENUM('STATE_CHANGE','ALARM','PARAMETER_DEVIATION','MAINTENANCE','CIP_SIP') NOT NULL,
  severity         ENUM('INFO','WARNING','ALARM','CRITICAL') NOT NULL,
  parameter_name   VARCHAR(64)   NULL,
  parameter_value  DECIMAL(18,6) NULL,
  unit             VARCHAR(16)   NULL,
  message          VARCHAR(255)  NOT NULL,
  occurred_at      DATETIME(6)   NOT NULL,
  PRIMARY KEY (event_id),
  KEY ix_machine_events_machine (machine_id, occurred_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
