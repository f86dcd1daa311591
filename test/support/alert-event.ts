/** An alert event as the firing logic stores it, for tests that start from the outbox. */
import { formatInstantUtc } from '../../src/core/instant.js';
import type { AlertEventDocument } from '../../src/service/billing-service.js';

export function sampleAlertEvent(eventId: string, createdAt: number, data: Partial<AlertEventDocument['data']> = {}): AlertEventDocument {
  return {
    type: 'usage.threshold_crossed',
    id: eventId,
    created_at: formatInstantUtc(createdAt),
    data: {
      account_id: 'acme-dental',
      account_name: 'Acme Dental',
      period_start: '2026-11-15T05:00:00+00:00',
      period_end: '2026-12-15T05:00:00+00:00',
      metric: 'included_used_percent',
      direction: 'at_or_above',
      threshold: '80',
      value: '81.25',
      included_minutes_left: '93.75',
      estimated_total: '49.00',
      currency: 'USD',
      dashboard_url: 'https://billing.example/accounts/acme-dental?tab=usage&period=2026-11',
      ...data,
    },
  };
}
