//! People's names, mail providers and small-business domains, so identities look real
//! while staying unique (a number derived from the person's index is always part of them).

pub const FIRST_NAMES: &[&str] = &[
    "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Sophia", "Grace",
    "Freya", "Emily", "Ella", "Poppy", "Evie", "Chloe", "Sienna", "Aoife", "Niamh", "Priya",
    "Aisha", "Fatima", "Zara", "Hannah", "Ruby", "Alice", "Sarah", "Laura", "Emma", "Rachel",
    "Noah", "Oliver", "George", "Arthur", "Leo", "Harry", "Oscar", "Jack", "Charlie", "Jacob",
    "Thomas", "Henry", "William", "James", "Lucas", "Alfie", "Theo", "Mohammed", "Ali", "Omar",
    "Ravi", "Arjun", "Sean", "Ciaran", "Conor", "Daniel", "David", "Michael", "Peter", "Paul",
    "Tom", "Ben", "Sam", "Alex", "Jordan", "Chris", "Kate", "Anna", "Maria", "Joanna",
];

pub const LAST_NAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Patel",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Thomas",
    "Clarke",
    "Jackson",
    "Wood",
    "Harris",
    "Edwards",
    "Turner",
    "Martin",
    "Cooper",
    "Hill",
    "Ward",
    "Hughes",
    "Moore",
    "Clark",
    "King",
    "Harrison",
    "Lewis",
    "Baker",
    "Lee",
    "Allen",
    "Morris",
    "Khan",
    "Scott",
    "Watson",
    "Davis",
    "Parker",
    "James",
    "Bennett",
    "Young",
    "Phillips",
    "Richardson",
    "Mitchell",
    "Murphy",
    "Kelly",
    "Byrne",
    "Ryan",
    "O'Brien",
    "Walsh",
    "Singh",
    "Ahmed",
    "Ali",
    "Shah",
    "Kaur",
    "Nowak",
    "Kowalski",
    "Rossi",
];

pub const MAIL_PROVIDERS: &[&str] = &[
    "gmail.com",
    "gmail.com",
    "gmail.com",
    "outlook.com",
    "hotmail.co.uk",
    "yahoo.co.uk",
    "icloud.com",
    "btinternet.com",
    "live.com",
    "proton.me",
    "sky.com",
    "eircom.net",
];

/// Trades of the small businesses some customers buy for; each has a shared mailbox.
pub const TRADES: &[&str] = &[
    "plumbing",
    "bakery",
    "design",
    "cafe",
    "joinery",
    "florist",
    "dental",
    "studio",
    "builders",
    "physio",
    "accountants",
    "lettings",
    "garage",
    "salon",
    "print",
];

pub const NETWORKS: &[&str] = &["twitter", "instagram", "facebook", "tiktok"];

/// Letters and digits only, lowercase: the form a name takes in an address or handle.
pub fn slug(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// A UK (+44 7…) or Irish (+353 8…) mobile number unique to `n`, in E.164.
pub fn mobile(n: u64, irish: bool) -> String {
    if irish {
        format!("+3538{}{:07}", 3 + n % 5, n % 10_000_000)
    } else {
        format!("+447{:09}", 100_000_000 + n % 900_000_000)
    }
}
