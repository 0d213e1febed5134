// What can be set for Stenomatic: nothing yet. Rooms are created and streamed at once; usage
// accrues from the control API's simulated streaming on the emulator's clock.
export const SETTINGS = {};
