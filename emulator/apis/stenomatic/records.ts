// How Stenomatic shows what it keeps: clients and rooms with every field of the sample. Unset
// dates are Go's zero time, unset text is empty, as the documentation's samples show.
import { roomSeconds } from './usage.ts';
import type { Client, Room } from './model.ts';

export const GO_ZERO_TIME = '0001-01-01T00:00:00.000Z';

export const clientView = (client: Client, customerId: string) => ({ id: client.id, name: client.name, parent_customer_id: customerId });

export function roomView(room: Room, nowMs: number) {
  return {
    id: room.id,
    conference_id: room.conferenceId,
    title: room.title,
    description: room.description,
    api_key: room.apiKey,
    secret: '',
    client_branch_id: room.clientId,
    from_language: room.fromLanguage,
    to_languages: room.toLanguages,
    start_date: GO_ZERO_TIME,
    end_date: GO_ZERO_TIME,
    create_date: new Date(room.createdMs).toISOString(),
    update_date: new Date(room.updatedMs).toISOString(),
    main_image_url: '',
    main_image_bucket_file_name: '',
    sponsorship_image_bucket_file_name: '',
    sponsorship_credit_title: room.sponsorship.credit_title,
    sponsorship_title: room.sponsorship.title,
    sponsorship_description: room.sponsorship.description,
    sponsorship_info_url: room.sponsorship.info_url,
    sponsorship_image_url: '',
    closed_captions_endpoint: '',
    usage_in_seconds: roomSeconds(room, nowMs),
    is_archived: room.isArchived,
  };
}
