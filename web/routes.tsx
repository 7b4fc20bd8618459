/** Which page answers which path, and the navigation bar's entries. */
import type { ReactNode } from 'react';
import { match } from './router.js';
import { AlertsPage } from './pages/alerts.js';
import { CommunicationsPage } from './pages/communications.js';
import { CredentialsPage } from './pages/credentials.js';
import { DnsPage } from './pages/dns.js';
import { ScanPage } from './pages/scan.js';
import { PlanPage } from './pages/plan.js';
import { MailboxDetailPage } from './pages/mailbox-detail.js';
import { MailboxesPage } from './pages/mailboxes.js';
import { MailboxImportPage } from './pages/mailbox-import.js';
import { MailboxDiscoverPage } from './pages/mailbox-discover.js';
import { NotFoundPage } from './pages/not-found.js';
import { ProjectEditPage } from './pages/project-edit.js';
import { ProjectsPage } from './pages/projects.js';
import { ReportsPage } from './pages/reports.js';
import { ThrottlingPage } from './pages/throttling.js';
import { TrackerPage } from './pages/tracker.js';

/** The navigation bar, in the order a migration goes. */
export const NAV = [
  { to: '/', label: 'Tracker' },
  { to: '/projects', label: 'Projects' },
  { to: '/mailboxes', label: 'Mailboxes' },
  { to: '/scan', label: 'Scan' },
  { to: '/plan', label: 'Plan' },
  { to: '/credentials', label: 'Credentials' },
  { to: '/communications', label: 'Communications' },
  { to: '/dns', label: 'DNS' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/throttling', label: 'Throttling' },
  { to: '/reports', label: 'Reports' },
];

/** The page for `path`. */
export function routeFor(path: string): ReactNode {
  if (path === '/' || path === '') return <TrackerPage />;
  if (match('/projects', path)) return <ProjectsPage />;
  if (match('/projects/new', path)) return <ProjectEditPage key="new" />;
  const p = match('/projects/:id', path);
  if (p) return <ProjectEditPage key={p.id} id={Number(p.id)} />;
  if (match('/mailboxes', path)) return <MailboxesPage />;
  if (match('/mailboxes/import', path)) return <MailboxImportPage />;
  if (match('/mailboxes/discover', path)) return <MailboxDiscoverPage />;
  const m = match('/mailboxes/:id', path);
  if (m) return <MailboxDetailPage id={Number(m.id)} />;
  if (match('/alerts', path)) return <AlertsPage />;
  if (match('/dns', path)) return <DnsPage />;
  if (match('/scan', path)) return <ScanPage />;
  if (match('/plan', path)) return <PlanPage />;
  if (match('/credentials', path)) return <CredentialsPage />;
  if (match('/communications', path)) return <CommunicationsPage />;
  if (match('/throttling', path)) return <ThrottlingPage />;
  if (match('/reports', path)) return <ReportsPage />;
  return <NotFoundPage path={path} />;
}
