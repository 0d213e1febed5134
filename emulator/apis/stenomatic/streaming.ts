// Simulated streaming (the control API's /__emulator/stenomatic/rooms/{room_id}/streaming):
// the emulator has no RTMP server, so a test says when a room streams and with which
// services, and usage accrues on the emulator's clock (the room's tenant's, which its usage
// is read by). Rooms are found across customers (their ids are unique), so no credential is needed.
import { controlError } from '../../core/api-control.ts';
import type { ControlHandler } from '../../core/api-definition.ts';
import { jsonResponse } from '../../core/http-types.ts';
import { anyRoom, type Room, type Service, type StenomaticState } from './model.ts';
import type { SETTINGS } from './settings.ts';
import { roomSeconds } from './usage.ts';

type StreamingHandler = ControlHandler<StenomaticState, typeof SETTINGS>;

function streamingView(room: Room, nowMs: number) {
  const current = room.streamed[room.streamed.length - 1];
  const live = current !== undefined && current.endMs === undefined;
  return {
    room_id: room.id,
    streaming: live,
    services: live ? current.services : [],
    since: live && room.streamingSinceMs !== undefined ? new Date(room.streamingSinceMs).toISOString() : null,
    total_seconds: roomSeconds(room, nowMs).total,
  };
}

const notFound = (id: string) => controlError(404, 'not_found', `No Stenomatic room has the id ${id}.`);

function stop(room: Room, nowMs: number): void {
  const current = room.streamed[room.streamed.length - 1];
  if (current && current.endMs === undefined) current.endMs = nowMs;
}

const startStenomaticStreaming: StreamingHandler = async ({ pathParams, body }, state, runtime) => {
  const room = anyRoom(state, pathParams.room_id!);
  if (!room) return notFound(pathParams.room_id!);
  const now = runtime.forTenant(room.tenant).clock.nowMs();
  const services = (body as { services: Service[] }).services;
  const live = room.streamed[room.streamed.length - 1]?.endMs === undefined && room.streamed.length > 0;
  // A change of services ends one stretch and starts the next; the stream itself goes on.
  stop(room, now);
  if (!live) room.streamingSinceMs = now;
  room.streamed.push({ startMs: now, services: [...services] });
  return jsonResponse(200, streamingView(room, now));
};

const stopStenomaticStreaming: StreamingHandler = async ({ pathParams }, state, runtime) => {
  const room = anyRoom(state, pathParams.room_id!);
  if (!room) return notFound(pathParams.room_id!);
  const now = runtime.forTenant(room.tenant).clock.nowMs();
  stop(room, now);
  delete room.streamingSinceMs;
  return jsonResponse(200, streamingView(room, now));
};

const getStenomaticStreaming: StreamingHandler = async ({ pathParams }, state, runtime) => {
  const room = anyRoom(state, pathParams.room_id!);
  return room ? jsonResponse(200, streamingView(room, runtime.forTenant(room.tenant).clock.nowMs())) : notFound(pathParams.room_id!);
};

export const STREAMING: Record<string, StreamingHandler> = { startStenomaticStreaming, stopStenomaticStreaming, getStenomaticStreaming };
