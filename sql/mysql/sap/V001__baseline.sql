-- SAP order management (database: sap_orders).
-- Orders and their items as SAP S/4 replicates them to the plant integration database.
-- Applied idempotently by the SQL bootstrap; every captured table needs a primary key
-- so CDC events carry a stable Kafka message key.

CREATE TABLE IF NOT EXISTS materials (
  material_id      VARCHAR(18)   NOT NULL,                 -- SAP MATNR
  description      VARCHAR(120)  NOT NULL,
  material_type    ENUM('API','EXCIPIENT','PACKAGING','INTERMEDIATE','FINISHED_GOOD') NOT NULL,
  base_unit        VARCHAR(3)    NOT NULL,                 -- SAP MEINS, e.g. KG, L, EA
  gmp_relevant     BOOLEAN       NOT NULL DEFAULT TRUE,
  shelf_life_days  SMALLINT UNSIGNED NULL,
  created_at       DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at       DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (material_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS sales_orders (
  order_id            BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  order_number        VARCHAR(10)   NOT NULL,              -- SAP VBELN
  plant               CHAR(4)       NOT NULL,              -- SAP WERKS
  customer_id         VARCHAR(10)   NOT NULL,
  status              ENUM('CREATED','RELEASED','IN_PRODUCTION','QA_HOLD','SHIPPED','CANCELLED') NOT NULL DEFAULT 'CREATED',
  requested_delivery  DATE          NULL,
  net_value           DECIMAL(15,2) NOT NULL DEFAULT 0.00,
  currency            CHAR(3)       NOT NULL DEFAULT 'EUR',
  created_at          DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  status_changed_at   DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at          DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (order_id),
  UNIQUE KEY uq_sales_orders_number (order_number),
  KEY ix_sales_orders_status (plant, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS order_items (
  order_id      BIGINT UNSIGNED   NOT NULL,
  item_no       SMALLINT UNSIGNED NOT NULL,                -- SAP POSNR
  material_id   VARCHAR(18)       NOT NULL,
  quantity      DECIMAL(13,3)     NOT NULL,
  unit          VARCHAR(3)        NOT NULL,
  batch_number  VARCHAR(10)       NULL,                    -- SAP CHARG, set at goods issue
  net_price     DECIMAL(15,2)     NOT NULL,
  updated_at    DATETIME(6)       NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (order_id, item_no),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES sales_orders (order_id),
  CONSTRAINT fk_order_items_material FOREIGN KEY (material_id) REFERENCES materials (material_id),
  CONSTRAINT ck_order_items_quantity CHECK (quantity > 0)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
