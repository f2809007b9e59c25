/**
 * `metav1.Status` bodies with the exact shapes and wording of the real API server
 * (k8s.io/apimachinery `pkg/api/errors`). Handlers throw {@link ApiError}; the server turns it into
 * a JSON response.
 */
import { qualifiedResource, type ResourceInfo } from './types';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure' | 'Success';
  message?: string;
  reason?: string;
  details?: StatusDetails;
  code: number;
}

export class ApiError extends Error {
  constructor(readonly status: Status) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = 'ApiError';
  }

  get code(): number {
    return this.status.code;
  }
}

export function failure(code: number, reason: string, message: string, details?: StatusDetails): Status {
  const status: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
  if (details !== undefined) status.details = details;
  return status;
}

function resourceDetails(info: ResourceInfo, name?: string): StatusDetails {
  const details: StatusDetails = {};
  if (name) details.name = name;
  if (info.group) details.group = info.group;
  details.kind = info.resource;
  return details;
}

/** `pods "x"` or `pods` (for collections), qualified with the group for non-core resources. */
function subject(info: ResourceInfo, name?: string): string {
  return name ? `${qualifiedResource(info)} "${name}"` : qualifiedResource(info);
}

export const errors = {
  notFound(info: ResourceInfo, name: string): ApiError {
    return new ApiError(failure(404, 'NotFound', `${subject(info, name)} not found`, resourceDetails(info, name)));
  },

  /** An unknown path: the server's generic 404. */
  pathNotFound(): ApiError {
    return new ApiError(failure(404, 'NotFound', 'the server could not find the requested resource', {}));
  },

  alreadyExists(info: ResourceInfo, name: string): ApiError {
    return new ApiError(failure(409, 'AlreadyExists', `${subject(info, name)} already exists`, resourceDetails(info, name)));
  },

  conflict(info: ResourceInfo, name: string): ApiError {
    return new ApiError(
      failure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${subject(info, name)}: the object has been modified; please apply your changes to the latest version and try again`,
        resourceDetails(info, name),
      ),
    );
  },

  /** `NewForbidden(groupResource, name, err)`: `pods "web" is forbidden: <reason>`. */
  forbidden(info: ResourceInfo, name: string | undefined, reason: string): ApiError {
    return new ApiError(failure(403, 'Forbidden', `${subject(info, name)} is forbidden: ${reason}`, resourceDetails(info, name)));
  },

  unauthorized(): ApiError {
    return new ApiError(failure(401, 'Unauthorized', 'Unauthorized'));
  },

  badRequest(message: string): ApiError {
    return new ApiError(failure(400, 'BadRequest', message));
  },

  methodNotAllowed(): ApiError {
    return new ApiError(failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
  },

  unsupportedMediaType(contentType: string, accepted: readonly string[]): ApiError {
    return new ApiError(
      failure(
        415,
        'UnsupportedMediaType',
        `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
        { causes: [{ reason: 'UnexpectedHeader', message: `unsupported media type "${contentType}"`, field: 'Content-Type' }] },
      ),
    );
  },

  /** 410 for a watch or list whose resourceVersion was compacted. */
  expired(message: string): ApiError {
    return new ApiError(failure(410, 'Expired', message));
  },

  internal(message: string): ApiError {
    return new ApiError(failure(500, 'InternalError', `Internal error occurred: ${message}`, { causes: [{ message }] }));
  },

  /**
   * `NewInvalid(groupKind, name, fieldErrors)`: 422 with one cause per field error. The message
   * lists the errors, in brackets when there is more than one, as `ToAggregate().Error()` does.
   */
  invalid(kind: string, group: string, name: string, fieldErrors: readonly FieldError[]): ApiError {
    const groupKind = group ? `${kind}.${group}` : kind;
    const texts = fieldErrors.map((e) => `${e.field}: ${e.body}`);
    const list = texts.length === 1 ? texts[0] : `[${texts.join(', ')}]`;
    const details: StatusDetails = {};
    if (name) details.name = name;
    if (group) details.group = group;
    details.kind = kind;
    details.causes = fieldErrors.map((e) => ({ reason: e.type, message: e.body, field: e.field }));
    return new ApiError(failure(422, 'Invalid', `${groupKind} "${name}" is invalid: ${list}`, details));
  },
};

/** A `field.Error`: `type` is the cause reason, `body` is `ErrorBody()` (`Required value`, `Invalid value: 7: ...`). */
export interface FieldError {
  readonly type: string;
  readonly field: string;
  readonly body: string;
}

/** Go's `%#v`-ish rendering used by field errors: strings quoted, numbers bare. */
function goValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  return JSON.stringify(value);
}

export const fieldErrors = {
  required(field: string, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field, body: detail ? `Required value: ${detail}` : 'Required value' };
  },
  invalid(field: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field, body: `Invalid value: ${goValue(value)}: ${detail}` };
  },
  notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
    const list = supported.map((s) => JSON.stringify(s)).join(', ');
    return { type: 'FieldValueNotSupported', field, body: `Unsupported value: ${goValue(value)}: supported values: ${list}` };
  },
  forbidden(field: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field, body: `Forbidden: ${detail}` };
  },
  notFound(field: string, value: unknown): FieldError {
    return { type: 'FieldValueNotFound', field, body: `Not found: ${goValue(value)}` };
  },
  duplicate(field: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field, body: `Duplicate value: ${goValue(value)}` };
  },
};
