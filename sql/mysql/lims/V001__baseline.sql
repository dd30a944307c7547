-- LIMS / WFX laboratory data (database: lims).
-- Samples, the specification limits they are tested against, and the results.
-- A result outside [lower_limit, upper_limit] of its spec is out of specification (OOS).

CREATE TABLE IF NOT EXISTS samples (
  sample_id     BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  sample_code   VARCHAR(20)  NOT NULL,
  plant         CHAR(4)      NOT NULL,
  material_id   VARCHAR(18)  NOT NULL,
  batch_number  VARCHAR(10)  NOT NULL,
  sample_type   ENUM('RAW_MATERIAL','IN_PROCESS','RELEASE','STABILITY','ENVIRONMENTAL') NOT NULL,
  status        ENUM('REGISTERED','IN_TESTING','COMPLETED','APPROVED','REJECTED') NOT NULL DEFAULT 'REGISTERED',
  collected_at  DATETIME(6)  NOT NULL,
  updated_at    DATETIME(6)  NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (sample_id),
  UNIQUE KEY uq_samples_code (sample_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS spec_limits (
  spec_id         INT UNSIGNED  NOT NULL AUTO_INCREMENT,
  material_id     VARCHAR(18)   NOT NULL,
  test_code       VARCHAR(20)   NOT NULL,                  -- e.g. ASSAY, WATER_KF, PH
  lower_limit     DECIMAL(18,6) NULL,                      -- NULL: no lower bound
  upper_limit     DECIMAL(18,6) NULL,                      -- NULL: no upper bound
  unit            VARCHAR(16)   NOT NULL,
  spec_version    SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  effective_from  DATETIME(6)   NOT NULL,
  updated_at      DATETIME(6)   NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (spec_id),
  UNIQUE KEY uq_spec_limits_version (material_id, test_code, spec_version),
  CONSTRAINT ck_spec_limits_range CHECK (lower_limit IS NULL OR upper_limit IS NULL OR lower_limit <= upper_limit)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE IF NOT EXISTS test_results (
  result_id      BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  sample_id      BIGINT UNSIGNED NOT NULL,
  spec_id        INT UNSIGNED    NOT NULL,
  test_code      VARCHAR(20)     NOT NULL,
  result_value   DECIMAL(18,6)   NOT NULL,
  unit           VARCHAR(16)     NOT NULL,
  status         ENUM('PENDING','VALID','INVALIDATED','REVIEWED') NOT NULL DEFAULT 'PENDING',
  analyst        VARCHAR(64)     NOT NULL,
  instrument_id  VARCHAR(32)     NULL,
  measured_at    DATETIME(6)     NOT NULL,
  updated_at     DATETIME(6)     NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
  PRIMARY KEY (result_id),
  KEY ix_test_results_sample (sample_id),
  CONSTRAINT fk_test_results_sample FOREIGN KEY (sample_id) REFERENCES samples (sample_id),
  CONSTRAINT fk_test_results_spec FOREIGN KEY (spec_id) REFERENCES spec_limits (spec_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
