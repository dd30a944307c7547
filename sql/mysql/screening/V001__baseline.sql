-- High-throughput screening (database: screening).
-- Plate-based assay runs and the per-well readouts they produce.

CREATE TABLE IF NOT EXISTS screening_runs (
  run_id         BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  run_code       VARCHAR(24)  NOT NULL,
  assay_id       VARCHAR(24)  NOT NULL,
  instrument_id  VARCHAR(32)  NOT NULL,
  operator_id    VARCHAR(64)  NOT NULL,
  plate_count    SMALLINT UNSIGNED NOT NULL,
  status         ENUM('QUEUED','RUNNING','COMPLETED','FAILED','INVALIDATED') NOT NULL DEFAULT 'QUEUED',
  started_at     DATETIME(6)  NULL,
  finished_at    DATETIME(6)  NULL,
  updated_at     DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (run_id),
  UNIQUE KEY uq_screening_runs_code (run_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS assay_results (
  run_id              BIGINT UNSIGNED NOT NULL,
  plate_barcode       VARCHAR(24)   NOT NULL,
  well                CHAR(3)       NOT NULL,              -- A01..P24 (384-well)
  compound_id         VARCHAR(24)   NOT NULL,
  concentration_um    DECIMAL(12,6) NOT NULL,
  readout             DECIMAL(18,6) NOT NULL,
  readout_unit        VARCHAR(16)   NOT NULL,              -- RFU, RLU, OD
  percent_inhibition  DECIMAL(7,3)  NULL,
  hit                 BOOLEAN       NOT NULL DEFAULT FALSE,
  qc_flag             ENUM('OK','OUTLIER','FAILED_QC') NOT NULL DEFAULT 'OK',
  measured_at         DATETIME(6)   NOT NULL,
  PRIMARY KEY (run_id, plate_barcode, well),
  CONSTRAINT fk_assay_results_run FOREIGN KEY (run_id) REFERENCES screening_runs (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
