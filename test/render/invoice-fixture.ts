/** Hand-made §13 invoices for the renderer tests: two accounts, one with tax, odd descriptions. */
import type { InvoiceDocument } from '../../src/formats/invoice-document.js';

export const TAXED_DESCRIPTION = 'Bundle "night-owl", 1,000 minutes, bought 2026-11-03';

export function makeInvoices(): InvoiceDocument[] {
  return [
    {
      account_id: 'acc_alpha',
      period_start: '2026-11-01T00:00:00-04:00',
      period_end: '2026-12-01T00:00:00-05:00',
      currency: 'USD',
      lines: [
        { kind: 'plan_fee', description: 'Pro plan, 2026-11-01 to 2026-12-01', quantity: '1', unit_price: '1499.00', amount: '1499.00' },
        { kind: 'overage', description: 'Pay-as-you-go minutes', quantity: '1234.500000', unit_price: '0.0130', amount: '16.05' },
        { kind: 'carrier', description: 'Carrier costs and surcharges, passed through', quantity: '812', unit_price: null, amount: '23.41' },
        { kind: 'bundle', description: TAXED_DESCRIPTION, quantity: '1', unit_price: '9.00', amount: '9.00' },
        {
          kind: 'number_rental',
          description: 'Number +14155550100 (US local), month from 2026-11-05',
          quantity: '1',
          unit_price: '1.15',
          amount: '1.15',
        },
        { kind: 'tax', description: 'Tax US 8.875%', quantity: '8.875', unit_price: null, amount: '137.44' },
      ],
      subtotal: '1548.61',
      tax: '137.44',
      total: '1686.05',
      usage: {
        included_seconds: '30000.000',
        included_used_seconds: '30000.000',
        bundle_used_seconds: '60000.000',
        payg_seconds: '74070.000',
        calls: 1234,
      },
    },
    {
      account_id: 'acc_beta',
      period_start: '2026-11-15T00:00:00+01:00',
      period_end: '2026-12-15T00:00:00+01:00',
      currency: 'USD',
      lines: [
        { kind: 'plan_fee', description: 'Starter plan, 2026-11-15 to 2026-12-15', quantity: '1', unit_price: '0.00', amount: '0.00' },
        { kind: 'overage', description: 'Pay-as-you-go minutes', quantity: '1.516667', unit_price: '0.0900', amount: '0.14' },
      ],
      subtotal: '0.14',
      tax: '0.00',
      total: '0.14',
      usage: {
        included_seconds: '0.000',
        included_used_seconds: '0.000',
        bundle_used_seconds: '0.000',
        payg_seconds: '91.000',
        calls: 2,
      },
    },
  ];
}
