/** The foundation's operations: health, metrics, auth, me, projects, members, collab token. */
import { z } from 'zod';
import { authView, deleteAccountBody, loginBody, logoutBody, meView, refreshBody, registerBody } from '../auth/schemas';
import {
  addMemberBody,
  collabTokenView,
  createProjectBody,
  createdProjectView,
  memberListView,
  memberParams,
  memberResultView,
  patchMemberBody,
  projectDetailView,
  projectIdParams,
  projectListView,
} from '../projects/schemas';
import type { ApiOperation } from './types';

const healthView = z.object({ status: z.enum(['ok', 'error']), postgres: z.enum(['ok', 'error']), redis: z.enum(['ok', 'error']) });
const notFound = { description: 'Not found, or not a member of this project (existence is not revealed)' };
const forbidden = { description: 'A member whose role does not allow this' };

export const foundationOperations: ApiOperation[] = [
  {
    method: 'get', path: '/api/health', operationId: 'health', summary: 'Liveness and dependencies', tags: ['ops'], auth: false, rateLimited: false,
    responses: { 200: { description: 'Everything is up', schema: healthView }, 503: { description: 'A dependency is down', schema: healthView } },
  },
  {
    method: 'get', path: '/api/metrics', operationId: 'metrics', summary: 'Prometheus metrics of the web service', tags: ['ops'], auth: false, rateLimited: false,
    responses: { 200: { description: 'Prometheus text exposition', contentType: 'text/plain; version=0.0.4' } },
  },
  {
    method: 'get', path: '/api/openapi.json', operationId: 'openapi', summary: 'This document', tags: ['ops'], auth: false,
    responses: { 200: { description: 'OpenAPI 3.1 document' } },
  },
  {
    method: 'post', path: '/api/auth/register', operationId: 'register', summary: 'Create an account', tags: ['auth'], auth: false,
    body: registerBody,
    responses: { 201: { description: 'Signed up and signed in; also sets the koma_refresh HttpOnly cookie', schema: authView }, 409: { description: 'Email already registered' } },
  },
  {
    method: 'post', path: '/api/auth/login', operationId: 'login', summary: 'Sign in', tags: ['auth'], auth: false,
    body: loginBody,
    responses: { 200: { description: 'Signed in', schema: authView } },
  },
  {
    method: 'post', path: '/api/auth/refresh', operationId: 'refresh', summary: 'Rotate the refresh token',
    description: 'Each refresh token works once. Presenting a used one revokes every token of that sign-in (401 refresh_reused).',
    tags: ['auth'], auth: false, body: refreshBody,
    responses: { 200: { description: 'New access and refresh tokens', schema: authView } },
  },
  {
    method: 'post', path: '/api/auth/logout', operationId: 'logout', summary: 'Revoke the refresh token (its whole sign-in)', tags: ['auth'], auth: false,
    body: logoutBody,
    responses: { 204: { description: 'Signed out' } },
  },
  {
    method: 'get', path: '/api/me', operationId: 'me', summary: 'The signed-in user', tags: ['account'], auth: true,
    responses: { 200: { description: 'The user', schema: meView } },
  },
  {
    method: 'delete', path: '/api/me', operationId: 'deleteMe', summary: 'Delete my account and the projects I own (GDPR)', tags: ['account'], auth: true,
    body: deleteAccountBody,
    responses: { 204: { description: 'Deleted' } },
  },
  {
    method: 'get', path: '/api/me/export', operationId: 'exportMe', summary: 'Everything Koma holds about me, as JSON (GDPR)', tags: ['account'], auth: true,
    responses: { 200: { description: 'The export' } },
  },
  {
    method: 'post', path: '/api/projects', operationId: 'createProject', summary: 'Create a project from a story', tags: ['projects'], auth: true,
    description: 'sourceText: UTF-8 text, not blank, at most 200,000 characters. Errors: source_text_empty, source_text_blank, source_text_binary, source_text_too_long. Also accepts multipart/form-data (sourceText as a file).',
    body: createProjectBody, bodyMedia: ['application/json', 'multipart/form-data'],
    responses: { 201: { description: 'Created; the document is seeded', schema: createdProjectView } },
  },
  {
    method: 'get', path: '/api/projects', operationId: 'listProjects', summary: 'Projects I am a member of, with my role', tags: ['projects'], auth: true,
    responses: { 200: { description: 'My projects', schema: projectListView } },
  },
  {
    method: 'get', path: '/api/projects/{id}', operationId: 'getProject', summary: 'A project and its members', tags: ['projects'], auth: true,
    params: projectIdParams,
    responses: { 200: { description: 'The project', schema: projectDetailView }, 404: notFound },
  },
  {
    method: 'delete', path: '/api/projects/{id}', operationId: 'deleteProject', summary: 'Delete a project and everything in it (owner)', tags: ['projects'], auth: true,
    params: projectIdParams,
    responses: { 204: { description: 'Deleted' }, 403: forbidden, 404: notFound },
  },
  {
    method: 'post', path: '/api/projects/{id}/collab-token', operationId: 'collabToken', summary: 'A short-lived token for the collab-server', tags: ['projects'], auth: true,
    params: projectIdParams,
    responses: { 200: { description: 'Token, URL and document names', schema: collabTokenView }, 404: notFound },
  },
  {
    method: 'get', path: '/api/projects/{id}/members', operationId: 'listMembers', summary: 'Members of a project', tags: ['members'], auth: true,
    params: projectIdParams,
    responses: { 200: { description: 'Members', schema: memberListView }, 404: notFound },
  },
  {
    method: 'post', path: '/api/projects/{id}/members', operationId: 'addMember', summary: 'Add a member by email (owner)', tags: ['members'], auth: true,
    params: projectIdParams, body: addMemberBody,
    responses: { 201: { description: 'Added', schema: memberResultView }, 403: forbidden, 404: notFound, 409: { description: 'Already a member' } },
  },
  {
    method: 'patch', path: '/api/projects/{id}/members/{userId}', operationId: 'updateMember', summary: "Change a member's role (owner)", tags: ['members'], auth: true,
    params: memberParams, body: patchMemberBody,
    responses: { 200: { description: 'Changed; their live connections are re-authorised', schema: memberResultView }, 403: forbidden, 404: notFound, 409: { description: "The owner's role cannot change" } },
  },
  {
    method: 'delete', path: '/api/projects/{id}/members/{userId}', operationId: 'removeMember', summary: 'Remove a member (owner), or leave (yourself)', tags: ['members'], auth: true,
    params: memberParams,
    responses: { 204: { description: 'Removed; their live connections close' }, 403: forbidden, 404: notFound, 409: { description: 'The owner cannot be removed' } },
  },
];
