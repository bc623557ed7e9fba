// Word lists for demo and benchmark data: enough variety that posts look like posts.

export const FIRST = ['ada', 'alan', 'grace', 'linus', 'margaret', 'dennis', 'barbara', 'ken', 'radia', 'tim',
  'frances', 'edsger', 'katherine', 'john', 'hedy', 'donald', 'annie', 'guido', 'sophie', 'yukihiro'];
export const LAST = ['lovelace', 'turing', 'hopper', 'torvalds', 'hamilton', 'ritchie', 'liskov', 'thompson',
  'perlman', 'bernerslee', 'allen', 'dijkstra', 'johnson', 'mccarthy', 'lamarr', 'knuth', 'easley', 'vanrossum', 'wilson', 'matsumoto'];
export const OPENERS = ['Just finished', 'Thinking about', 'Can we talk about', 'Today I learned about', 'Still amazed by',
  'Working on', 'Reading up on', 'Loving', 'Not sure about', 'Finally tried'];
export const TOPICS = ['the new garden beds', 'sourdough starters', 'a tiny Rust CLI', 'the morning commute by bike',
  'PostgreSQL indexes', 'birdwatching at the lake', 'our neighbourhood library', 'a rainy afternoon with tea',
  'the film everyone is talking about', 'learning the cello', 'a weekend hike', 'fixing an old radio',
  'mechanical keyboards', 'the best noodle shop in town', 'a very good dog', 'the night sky last night'];
export const ENDINGS = ['Highly recommend.', 'Thoughts?', 'More soon.', 'What a day.', 'Ten out of ten.',
  'Anyone else?', 'Photos later.', 'Worth it.', '', ''];
export const TAGS = ['gardening', 'baking', 'rust', 'cycling', 'postgres', 'birds', 'books', 'tea', 'film', 'music',
  'hiking', 'retrocomputing', 'keyboards', 'food', 'dogs', 'astronomy'];
