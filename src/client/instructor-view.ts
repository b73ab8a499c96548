/** Where the instructor view switch is remembered; astro.config's head script reads the same key. */
export const INSTRUCTOR_VIEW_KEY = 'data-in-microservices:instructor-view';
