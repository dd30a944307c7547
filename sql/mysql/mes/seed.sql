INSERT IGNORE INTO batches (batch_id, batch_number, plant, line_id, material_id, planned_qty, actual_qty, unit, status, started_at, completed_at) VALUES
  (1, 'B2611-0042', 'DE01', 'TAB-L2', 'MAT-FG-0100', 300000.000, 298450.000, 'EA', 'COMPLETED', '2026-11-21 06:00:00.000000', '2026-11-21 21:45:12.500000'),
  (2, 'B2611-0043', 'DE01', 'TAB-L2', 'MAT-FG-0100', 300000.000, NULL, 'EA', 'IN_PROGRESS', '2026-11-24 06:02:00.000000', NULL);

INSERT IGNORE INTO machine_events (event_id, machine_id, line_id, batch_number, event_type, severity, parameter_name, parameter_value, unit, message, occurred_at) VALUES
  (1, 'TP-0207', 'TAB-L2', 'B2611-0043', 'STATE_CHANGE', 'INFO', NULL, NULL, NULL, 'Tablet press started', '2026-11-24 06:02:10.100000'),
  (2, 'TP-0207', 'TAB-L2', 'B2611-0043', 'PARAMETER_DEVIATION', 'WARNING', 'main_compression_force', 18.400000, 'kN', 'Compression force above alert limit', '2026-11-24 07:15:44.250000'),
  (3, 'CT-0301', 'TAB-L2', 'B2611-0043', 'ALARM', 'ALARM', 'inlet_air_temp', 72.100000, 'degC', 'Coater inlet air temperature high', '2026-11-24 08:30:01.000000');
