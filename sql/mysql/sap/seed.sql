-- A little seed data for development and CDC smoke tests. Idempotent (INSERT IGNORE).
INSERT IGNORE INTO materials (material_id, description, material_type, base_unit, gmp_relevant, shelf_life_days) VALUES
  ('MAT-API-0001', 'Metformin hydrochloride API', 'API', 'KG', TRUE, 1095),
  ('MAT-EXC-0010', 'Microcrystalline cellulose PH-102', 'EXCIPIENT', 'KG', TRUE, 1825),
  ('MAT-FG-0100', 'Metformin 500 mg film-coated tablets, 100 ct', 'FINISHED_GOOD', 'EA', TRUE, 730);

INSERT IGNORE INTO sales_orders (order_id, order_number, plant, customer_id, status, requested_delivery, net_value, currency, created_at, status_changed_at) VALUES
  (1, '0000410001', 'DE01', 'C100234', 'RELEASED', '2026-12-15', 48250.00, 'EUR', '2026-11-20 08:15:02.123456', '2026-11-20 09:01:44.000100'),
  (2, '0000410002', 'IE02', 'C100871', 'QA_HOLD', '2026-12-20', 12900.50, 'EUR', '2026-11-21 13:40:10.500000', '2026-11-22 07:30:00.250000');

INSERT IGNORE INTO order_items (order_id, item_no, material_id, quantity, unit, batch_number, net_price) VALUES
  (1, 10, 'MAT-FG-0100', 2500.000, 'EA', NULL, 48250.00),
  (2, 10, 'MAT-FG-0100', 650.000, 'EA', 'B2611-0042', 12900.50);
