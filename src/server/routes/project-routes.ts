/** Projects: list, create, get, update, delete, and "test connection" for either side. */
import type { FastifyInstance } from 'fastify';
import type { ConnectionTestService } from '../../services/connection-test-service.js';
import type { ProjectService } from '../../services/project-service.js';
import type { RunService } from '../../services/run-service.js';
import { errors, IdParams, Ok, PageOf } from '../../schemas/common.js';
import {
  ConnectionTest,
  Project,
  ProjectCreate,
  ProjectQuery,
  ProjectUpdate,
  SideParams,
} from '../../schemas/projects.js';
import { csrf, secured } from './route-kit.js';

const tags = ['projects'];

/** Routes under /api/projects (the session gate is added by the caller). */
export async function projectRoutes(
  app: FastifyInstance,
  opts: { projects: ProjectService; connections: ConnectionTestService; runs: RunService },
): Promise<void> {
  const { projects, connections, runs } = opts;

  app.get<{ Querystring: ProjectQuery }>(
    '/api/projects',
    {
      schema: {
        tags,
        operationId: 'listProjects',
        summary: 'Projects by name, paged',
        security: secured,
        querystring: ProjectQuery,
        response: { 200: PageOf(Project), ...errors(400, 401) },
      },
    },
    async (req) => projects.list(req.query),
  );

  app.post<{ Body: ProjectCreate }>(
    '/api/projects',
    {
      schema: {
        tags,
        operationId: 'createProject',
        summary: 'Create a project (source, destination and options); passwords are stored encrypted',
        security: csrf,
        body: ProjectCreate,
        response: { 201: Project, ...errors(400, 401, 403, 409) },
      },
    },
    async (req, reply) => reply.code(201).send(await projects.create(req.body)),
  );

  app.get<{ Params: IdParams }>(
    '/api/projects/:id',
    {
      schema: {
        tags,
        operationId: 'getProject',
        summary: 'One project; passwords are never returned (passwordSet says whether one is stored)',
        security: secured,
        params: IdParams,
        response: { 200: Project, ...errors(400, 401, 404) },
      },
    },
    async (req) => projects.get(req.params.id),
  );

  app.patch<{ Params: IdParams; Body: ProjectUpdate }>(
    '/api/projects/:id',
    {
      schema: {
        tags,
        operationId: 'updateProject',
        summary: 'Change any settings, at any time (a server sent without password keeps the stored one)',
        security: csrf,
        params: IdParams,
        body: ProjectUpdate,
        response: { 200: Project, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (req) => {
      const project = await projects.update(req.params.id, req.body);
      await runs.reschedule(req.params.id); // a running pass follows new windows within seconds
      return project;
    },
  );

  app.delete<{ Params: IdParams }>(
    '/api/projects/:id',
    {
      schema: {
        tags,
        operationId: 'deleteProject',
        summary: 'Delete a project with its mailboxes and their history',
        security: csrf,
        params: IdParams,
        response: { 200: Ok, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => {
      await projects.delete(req.params.id);
      return { ok: true };
    },
  );

  app.post<{ Params: SideParams }>(
    '/api/projects/:id/test/:side',
    {
      schema: {
        tags,
        operationId: 'testProjectConnection',
        summary:
          'Log in to the source or destination: capabilities, folders, quota, or the error in plain words',
        security: csrf,
        params: SideParams,
        response: { 200: ConnectionTest, ...errors(400, 401, 403, 404) },
      },
    },
    async (req) => connections.test(req.params.id, req.params.side),
  );
}
