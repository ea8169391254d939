//! Every visible string of the SPA in English, Spanish and French.
//!
//! The `texts!` table makes a missing translation a compile error (each key
//! takes exactly three strings); the tests check that none is empty and that
//! placeholders such as `{n}` appear in all three.

use lazo_domain::wire::FieldError;
use lazo_domain::{FieldKind, Priority, Role, StatusCategory};

/// A language of the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    Es,
    Fr,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::En, Lang::Es, Lang::Fr];

    /// BCP 47 tag, also used for `Intl` date and number formatting.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
            Lang::Fr => "fr",
        }
    }

    /// The language's own name, as a language picker shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::Es => "Español",
            Lang::Fr => "Français",
        }
    }

    /// Reads a tag such as `es-MX` or `fr`; `None` for languages Lazo lacks.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Lang::En),
            "es" => Some(Lang::Es),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The first supported language of the browser's preference list, else English.
    pub fn pick<'a>(preferred: impl IntoIterator<Item = &'a str>) -> Lang {
        preferred
            .into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or(Lang::En)
    }
}

macro_rules! texts {
    ($($key:ident => [$en:literal, $es:literal, $fr:literal]),* $(,)?) => {
        /// A visible string; [`T::get`] gives it in a language.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum T { $($key),* }

        impl T {
            pub const ALL: &'static [T] = &[$(T::$key),*];
            pub fn get(self, lang: Lang) -> &'static str {
                // A table indexed by key and language (`Lang`'s order: En,
                // Es, Fr) rather than a `match`: the match compiled to 18 KB
                // of wasm code; the table is data, and 20 KB smaller.
                const TEXTS: &[[&str; 3]] = &[$([$en, $es, $fr]),*];
                TEXTS[self as usize][lang as usize]
            }
        }
    };
}

texts! {
    // ---- shell
    FollowUp => ["Follow-up", "Seguimiento", "Suivi"],
    NewTicket => ["New ticket", "Nuevo ticket", "Nouveau ticket"],
    Admin => ["Admin", "Administración", "Administration"],
    Users => ["Users", "Usuarios", "Utilisateurs"],
    Groups => ["Groups", "Grupos", "Groupes"],
    Statuses => ["Statuses", "Estados", "Statuts"],
    TicketTypes => ["Ticket types", "Tipos de ticket", "Types de ticket"],
    Settings => ["Settings", "Configuración", "Paramètres"],
    Language => ["Language", "Idioma", "Langue"],
    LogOut => ["Log out", "Cerrar sesión", "Se déconnecter"],
    MainNav => ["Main navigation", "Navegación principal", "Navigation principale"],
    SkipToContent => ["Skip to content", "Ir al contenido", "Aller au contenu"],
    Loading => ["Loading…", "Cargando…", "Chargement…"],
    Retry => ["Retry", "Reintentar", "Réessayer"],
    Save => ["Save", "Guardar", "Enregistrer"],
    SaveChanges => ["Save changes", "Guardar cambios", "Enregistrer les modifications"],
    Saving => ["Saving…", "Guardando…", "Enregistrement…"],
    Saved => ["Saved.", "Guardado.", "Enregistré."],
    Cancel => ["Cancel", "Cancelar", "Annuler"],
    Discard => ["Discard", "Descartar", "Abandonner"],
    Edit => ["Edit", "Editar", "Modifier"],
    Delete => ["Delete", "Eliminar", "Supprimer"],
    Create => ["Create", "Crear", "Créer"],
    Add => ["Add", "Añadir", "Ajouter"],
    Remove => ["Remove", "Quitar", "Retirer"],
    Close => ["Close", "Cerrar", "Fermer"],
    Apply => ["Apply", "Aplicar", "Appliquer"],
    Yes => ["Yes", "Sí", "Oui"],
    No => ["No", "No", "Non"],
    NotFound => ["Not found", "No encontrado", "Introuvable"],
    NotFoundText => [
        "This page does not exist, or you may not see it.",
        "Esta página no existe o no tienes acceso a ella.",
        "Cette page n'existe pas, ou vous n'y avez pas accès."
    ],
    BackToList => ["Back to the list", "Volver a la lista", "Retour à la liste"],
    ConfirmDelete => [
        "Delete this for good?",
        "¿Eliminar definitivamente?",
        "Supprimer définitivement ?"
    ],
    AdminOnly => [
        "Only administrators can change this.",
        "Solo los administradores pueden cambiar esto.",
        "Seuls les administrateurs peuvent modifier ceci."
    ],

    // ---- customers
    Customers => ["Customers", "Clientes", "Clients"],
    CustomerProfile => ["Profile", "Perfil", "Profil"],
    SearchCustomers => ["Name, email, phone or reference", "Nombre, correo, teléfono o referencia", "Nom, e-mail, téléphone ou référence"],
    Search => ["Search", "Buscar", "Rechercher"],
    NothingYet => ["Nothing yet.", "Nada todavía.", "Rien pour l'instant."],
    MergeContact => ["Merge a duplicate into this customer (its number)", "Fusionar un duplicado en este cliente (su número)", "Fusionner un doublon dans ce client (son numéro)"],
    Merge => ["Merge", "Fusionar", "Fusionner"],
    MergeWhich => ["Give the number of the customer to merge.", "Indica el número del cliente que fusionar.", "Indiquez le numéro du client à fusionner."],
    ConfirmMerge => [
        "Move that customer's tickets, responses and timeline here and delete it?",
        "¿Mover aquí los tickets, respuestas y cronología de ese cliente y eliminarlo?",
        "Déplacer ici les tickets, réponses et la chronologie de ce client et le supprimer ?"
    ],
    Merged => ["Merged.", "Fusionado.", "Fusionné."],

    SurveyFilter => ["Survey", "Encuesta", "Enquête"],
    ScoreFilter => ["Score", "Puntuación", "Score"],
    ScoreMin => ["Score from", "Puntuación desde", "Score à partir de"],
    ScoreMax => ["Score up to", "Puntuación hasta", "Score jusqu'à"],
    // ---- customer and survey (ticket page)
    Customer => ["Customer", "Cliente", "Client"],
    Timeline => ["Timeline", "Cronología", "Chronologie"],
    Subscribed => ["Accepts messages", "Acepta mensajes", "Accepte les messages"],
    Ticket => ["Ticket", "Ticket", "Ticket"],
    SurveyResponse => ["Survey response", "Respuesta de encuesta", "Réponse à l'enquête"],
    EmbeddedData => ["Embedded data", "Datos incrustados", "Données intégrées"],
    AlertRules => ["Alert rules", "Reglas de alerta", "Règles d'alerte"],
    RuleCreatedTicket => ["created a ticket", "creó un ticket", "a créé un ticket"],
    RuleRecorded => ["recorded only", "solo registrada", "enregistrée seulement"],
    RuleFailed => ["could not create its ticket", "no pudo crear su ticket", "n'a pas pu créer son ticket"],
    TpSurvey => ["Survey", "Encuesta", "Enquête"],
    TpEmail => ["Email", "Correo", "E-mail"],
    TpTicket => ["Ticket", "Ticket", "Ticket"],
    TpCall => ["Call", "Llamada", "Appel"],
    TpChat => ["Chat", "Chat", "Discussion"],
    TpOther => ["Other", "Otro", "Autre"],

    // ---- alert rules (admin)
    NewAlertRule => ["New alert rule", "Nueva regla de alerta", "Nouvelle règle d'alerte"],
    AlertRulesHelp => [
        "Every survey response is checked against the enabled rules, lowest position first. A rule matches when all its conditions hold; it creates the ticket below, or only records the match. A rule set to stop ends the evaluation when it matches.",
        "Cada respuesta de encuesta se compara con las reglas activas, de menor a mayor posición. Una regla coincide cuando se cumplen todas sus condiciones; crea el ticket de abajo o solo registra la coincidencia. Una regla que se detiene termina la evaluación al coincidir.",
        "Chaque réponse à une enquête est comparée aux règles actives, de la plus petite position à la plus grande. Une règle correspond quand toutes ses conditions sont remplies ; elle crée le ticket ci-dessous, ou enregistre seulement la correspondance. Une règle qui s'arrête termine l'évaluation quand elle correspond."
    ],
    StopOnMatch => ["Stop at this rule when it matches", "Detenerse en esta regla si coincide", "S'arrêter à cette règle si elle correspond"],
    RecordOnly => ["Only record (no ticket)", "Solo registrar (sin ticket)", "Enregistrer seulement (pas de ticket)"],
    WhenResponse => ["When a response…", "Cuando una respuesta…", "Quand une réponse…"],
    SurveysField => ["is to one of these surveys (ids)", "es de una de estas encuestas (ids)", "concerne l'une de ces enquêtes (ids)"],
    CommentContains => ["has a comment containing one of", "tiene un comentario que contiene alguno de", "a un commentaire contenant l'un de"],
    ScoreRanges => ["Scores within", "Puntuaciones entre", "Scores entre"],
    From => ["From", "Desde", "De"],
    To => ["To", "Hasta", "À"],
    AddScoreRange => ["Add a score range", "Añadir un rango de puntuación", "Ajouter une plage de score"],
    AnswerConditions => ["Answers", "Respuestas", "Réponses"],
    Question => ["Question (id or text)", "Pregunta (id o texto)", "Question (id ou texte)"],
    Comparison => ["Comparison", "Comparación", "Comparaison"],
    Equals => ["is", "es", "est"],
    Contains => ["contains", "contiene", "contient"],
    Value => ["Value", "Valor", "Valeur"],
    Key => ["Key", "Clave", "Clé"],
    AddAnswerCondition => ["Add an answer condition", "Añadir una condición de respuesta", "Ajouter une condition de réponse"],
    AddEmbeddedCondition => ["Add an embedded data condition", "Añadir una condición de datos incrustados", "Ajouter une condition de données intégrées"],
    ThenCreate => ["…then create this ticket", "…entonces crear este ticket", "…alors créer ce ticket"],
    SubjectTemplate => ["Subject (template)", "Asunto (plantilla)", "Sujet (modèle)"],
    Default => ["Default", "Predeterminado", "Par défaut"],
    SummaryScore => ["Summary score from", "Puntuación del resumen desde", "Score du résumé depuis"],
    SummaryComment => ["Summary comment from", "Comentario del resumen desde", "Commentaire du résumé depuis"],
    TestRule => ["Test this rule against a sample response", "Probar esta regla con una respuesta de ejemplo", "Tester cette règle avec une réponse d'exemple"],
    TestRuleHelp => [
        "Runs the saved rule on this response without writing anything.",
        "Ejecuta la regla guardada sobre esta respuesta sin escribir nada.",
        "Applique la règle enregistrée à cette réponse sans rien écrire."
    ],
    SampleResponse => ["Sample response (JSON)", "Respuesta de ejemplo (JSON)", "Réponse d'exemple (JSON)"],
    RunTest => ["Run the test", "Ejecutar la prueba", "Lancer le test"],
    SampleNotValid => ["The sample is not a valid response", "El ejemplo no es una respuesta válida", "L'exemple n'est pas une réponse valide"],
    RuleNoMatch => ["No match: nothing would happen.", "No coincide: no pasaría nada.", "Pas de correspondance : rien ne se passerait."],
    RuleWouldCreate => ["Match: it would create this ticket.", "Coincide: crearía este ticket.", "Correspondance : elle créerait ce ticket."],

    // ---- email
    Emails => ["Emails", "Correos", "E-mails"],
    HistEmailQueued => ["Email to the customer", "Correo al cliente", "E-mail au client"],
    HistEmailFailed => ["Email not delivered", "Correo no entregado", "E-mail non distribué"],
    HistForwarded => ["Forwarded to", "Reenviado a", "Transféré à"],
    HistEmailReceived => ["Email from the customer", "Correo del cliente", "E-mail du client"],
    NoEmails => ["No emails with the customer yet.", "Todavía no hay correos con el cliente.", "Aucun e-mail avec le client pour l'instant."],
    SendEmail => ["Send email", "Enviar correo", "Envoyer un e-mail"],
    EmailDraft => ["Draft email", "Borrador de correo", "Brouillon d'e-mail"],
    EmailTo => ["To", "Para", "À"],
    EmailFrom => ["From", "De", "De"],
    Template => ["Template", "Plantilla", "Modèle"],
    NoTemplate => ["No template", "Sin plantilla", "Sans modèle"],
    TemplateHelp => [
        "The template fills the subject and message in the customer's language; what you type here replaces it.",
        "La plantilla rellena el asunto y el mensaje en el idioma del cliente; lo que escribas aquí lo sustituye.",
        "Le modèle remplit le sujet et le message dans la langue du client ; ce que vous saisissez ici le remplace."
    ],
    Message => ["Message", "Mensaje", "Message"],
    Send => ["Send", "Enviar", "Envoyer"],
    Sending => ["Sending…", "Enviando…", "Envoi…"],
    Minimise => ["Minimise", "Minimizar", "Réduire"],
    Expand => ["Expand", "Expandir", "Agrandir"],
    ConfirmDiscardEmail => ["Discard this email?", "¿Descartar este correo?", "Abandonner cet e-mail ?"],
    EmailQueuedNotice => ["Email queued for delivery.", "Correo en cola para enviarse.", "E-mail mis en file d'envoi."],
    EmailQueued => ["Queued", "En cola", "En file"],
    EmailSent => ["Sent", "Enviado", "Envoyé"],
    EmailFailedState => ["Not delivered", "No entregado", "Non distribué"],
    EmailReceived => ["Received", "Recibido", "Reçu"],
    EmailAuto => ["Automatic reply", "Respuesta automática", "Réponse automatique"],
    EmailRetrying => ["Trying again", "Reintentando", "Nouvel essai"],
    CustomerReply => ["Customer reply", "Respuesta del cliente", "Réponse du client"],
    SmtpAnswer => ["The mail server answered", "El servidor de correo respondió", "Le serveur de messagerie a répondu"],
    RetryNow => ["Retry now", "Reintentar ahora", "Réessayer maintenant"],
    RetryQueued => ["Queued to send again.", "En cola para reenviar.", "Mis en file pour renvoi."],
    EmailTemplates => ["Email templates", "Plantillas de correo", "Modèles d'e-mail"],
    NewTemplate => ["New email template", "Nueva plantilla de correo", "Nouveau modèle d'e-mail"],
    TemplatesHelp => [
        "Subject and message are templates: {{ ticket.number }}, {{ ticket.subject }}, {{ contact.name }}, {{ agent.name }}… One template name can have a version per language; the customer's language is used, else English.",
        "Asunto y mensaje son plantillas: {{ ticket.number }}, {{ ticket.subject }}, {{ contact.name }}, {{ agent.name }}… Un mismo nombre puede tener una versión por idioma; se usa el del cliente, si no el inglés.",
        "Le sujet et le message sont des modèles : {{ ticket.number }}, {{ ticket.subject }}, {{ contact.name }}, {{ agent.name }}… Un même nom peut avoir une version par langue ; celle du client est utilisée, sinon l'anglais."
    ],
    InboundMessages => ["Inbound email", "Correo entrante", "E-mail entrant"],
    InboundHelp => [
        "Every message received is kept as it came. Those Lazo could not use show why; process them again after fixing the cause.",
        "Cada mensaje recibido se guarda tal como llegó. Los que Lazo no pudo usar muestran el motivo; vuelve a procesarlos tras corregir la causa.",
        "Chaque message reçu est conservé tel quel. Ceux que Lazo n'a pas pu utiliser indiquent pourquoi ; traitez-les à nouveau après avoir corrigé la cause."
    ],
    OnlyFailed => ["Only those that failed", "Solo los que fallaron", "Seulement ceux en échec"],
    ProcessAgain => ["Process again", "Procesar de nuevo", "Traiter à nouveau"],
    Processed => ["Processed.", "Procesado.", "Traité."],
    StillFailing => ["Processed again; it still fails.", "Procesado de nuevo; sigue fallando.", "Traité à nouveau ; il échoue toujours."],
    MailStatus => ["Mail servers", "Servidores de correo", "Serveurs de messagerie"],
    Configured => ["configured", "configurado", "configuré"],
    NotConfigured => ["not configured", "sin configurar", "non configuré"],
    InboundFailed => ["Inbound not usable", "Entrantes no utilizables", "Entrants inutilisables"],
    LastPoll => ["last poll", "última consulta", "dernière relève"],
    NeverPolled => ["not polled yet", "aún sin consultar", "pas encore relevé"],
    InboundNew => ["Waiting", "En espera", "En attente"],
    InboundMatched => ["Added to a ticket", "Añadido a un ticket", "Ajouté à un ticket"],
    InboundCreated => ["Opened a ticket", "Abrió un ticket", "A ouvert un ticket"],

    // ---- notifications and forwarding
    Notifications => ["Notifications", "Notificaciones", "Notifications"],
    NoNotifications => ["Nothing new.", "Nada nuevo.", "Rien de nouveau."],
    MarkAllRead => ["Mark all read", "Marcar todo como leído", "Tout marquer comme lu"],
    NotificationSettings => ["Notification settings", "Ajustes de notificaciones", "Paramètres des notifications"],
    NotificationSettingsHelp => [
        "What you hear about the tickets you own, or of your groups while they have no owner. Nobody is told of their own changes.",
        "Lo que se te avisa de los tickets que tienes asignados, o de los de tus grupos mientras no tienen responsable. Nadie recibe avisos de sus propios cambios.",
        "Ce qu'on vous signale sur les tickets dont vous êtes responsable, ou ceux de vos groupes tant qu'ils n'ont pas de responsable. Personne n'est averti de ses propres changements."
    ],
    InApp => ["In the app", "En la aplicación", "Dans l'application"],
    ByEmail => ["By email", "Por correo", "Par e-mail"],
    EmailLanguage => ["Language of your emails", "Idioma de tus correos", "Langue de vos e-mails"],
    NkCreated => ["A ticket is created for me or my group", "Se crea un ticket para mí o mi grupo", "Un ticket est créé pour moi ou mon groupe"],
    NkAssigned => ["A ticket is assigned to me", "Se me asigna un ticket", "Un ticket m'est attribué"],
    NkGroupAssigned => ["An unowned ticket moves to my group", "Un ticket sin responsable pasa a mi grupo", "Un ticket sans responsable passe à mon groupe"],
    NkStatus => ["Its status changes", "Cambia su estado", "Son statut change"],
    NkEscalated => ["It is escalated (high or critical)", "Se escala (alta o crítica)", "Il est escaladé (haute ou critique)"],
    NkGroup => ["Its group changes", "Cambia su grupo", "Son groupe change"],
    NkTags => ["Its tags change", "Cambian sus etiquetas", "Ses étiquettes changent"],
    NkCommented => ["Someone comments", "Alguien comenta", "Quelqu'un commente"],
    NkEmailReceived => ["The customer replies by email", "El cliente responde por correo", "Le client répond par e-mail"],
    NkAttachments => ["A file is attached or removed", "Se adjunta o se quita un archivo", "Un fichier est joint ou retiré"],

    // ---- attachments
    Attachments => ["Files", "Archivos", "Fichiers"],
    HistAttachment => ["File", "Archivo", "Fichier"],
    NoAttachments => ["No files attached yet.", "Todavía no hay archivos adjuntos.", "Aucun fichier joint pour l'instant."],
    AttDrop => ["Drop files here, or", "Suelta archivos aquí, o", "Déposez des fichiers ici, ou"],
    AttChoose => ["choose files", "elige archivos", "choisissez des fichiers"],
    AttUploading => ["Uploading {name}… {pct} %", "Subiendo {name}… {pct} %", "Envoi de {name}… {pct} %"],
    AttUploaded => ["{n} file(s) attached.", "{n} archivo(s) adjuntado(s).", "{n} fichier(s) joint(s)."],
    AttRemoved => ["File removed.", "Archivo quitado.", "Fichier retiré."],
    AttConfirmRemove => ["Remove {name} from this ticket?", "¿Quitar {name} de este ticket?", "Retirer {name} de ce ticket ?"],
    AttDownload => ["Download", "Descargar", "Télécharger"],
    AttRemove => ["Remove", "Quitar", "Retirer"],
    AttTooLarge => ["{name} is larger than the server accepts.", "{name} es más grande de lo que acepta el servidor.", "{name} dépasse la taille acceptée par le serveur."],
    AttEmpty => ["{name} is empty.", "{name} está vacío.", "{name} est vide."],
    AttBadName => ["{name}: this file name is not allowed.", "{name}: este nombre de archivo no está permitido.", "{name} : ce nom de fichier n'est pas autorisé."],
    AttTooMany => ["At most {n} files at once.", "Como mucho {n} archivos a la vez.", "Au plus {n} fichiers à la fois."],
    Forward => ["Forward", "Reenviar", "Transférer"],
    ForwardTicket => ["Forward this ticket", "Reenviar este ticket", "Transférer ce ticket"],
    ForwardTo => ["Email addresses (comma separated)", "Direcciones de correo (separadas por comas)", "Adresses e-mail (séparées par des virgules)"],
    ForwardUsers => ["Colleagues", "Compañeros", "Collègues"],
    IncludeComments => ["Include comments and notes", "Incluir comentarios y notas", "Inclure les commentaires et notes"],
    IncludeHistory => ["Include history", "Incluir historial", "Inclure l'historique"],
    ForwardQueued => ["Forward queued for delivery.", "Reenvío en cola para enviarse.", "Transfert mis en file d'envoi."],

    // ---- webhooks (admin)
    Webhooks => ["Webhooks", "Webhooks", "Webhooks"],
    NewWebhook => ["New webhook endpoint", "Nuevo endpoint de webhook", "Nouveau point de terminaison webhook"],
    WebhookHelp => [
        "Lazo POSTs every event of the chosen kinds to this URL, signed as Standard Webhooks says. Answer 2xx; anything else is retried for a day and a half, and 410 disables the endpoint.",
        "Lazo envía por POST cada evento de los tipos elegidos a esta URL, firmado según Standard Webhooks. Responde 2xx; cualquier otra respuesta se reintenta durante día y medio, y 410 desactiva el endpoint.",
        "Lazo envoie en POST chaque événement des types choisis à cette URL, signé selon Standard Webhooks. Répondez 2xx ; toute autre réponse est retentée pendant un jour et demi, et 410 désactive le point de terminaison."
    ],
    EventTypes => ["Events (none ticked: all)", "Eventos (ninguno marcado: todos)", "Événements (aucun coché : tous)"],
    Events => ["Events", "Eventos", "Événements"],
    AllEvents => ["All events", "Todos los eventos", "Tous les événements"],
    Enabled => ["Enabled", "Activo", "Actif"],
    Disabled => ["Disabled", "Desactivado", "Désactivé"],
    Enable => ["Enable", "Activar", "Activer"],
    Disable => ["Disable", "Desactivar", "Désactiver"],
    RotateSecret => ["Rotate secret", "Rotar secreto", "Changer le secret"],
    SigningSecret => ["Signing secret of endpoint", "Secreto de firma del endpoint", "Secret de signature du point de terminaison"],
    SecretOnce => [
        "Copy it now: it is shown only this once. After a rotation the previous secret keeps signing for 24 hours.",
        "Cópialo ahora: solo se muestra esta vez. Tras una rotación, el secreto anterior sigue firmando durante 24 horas.",
        "Copiez-le maintenant : il n'est affiché qu'une fois. Après un changement, l'ancien secret signe encore pendant 24 heures."
    ],
    Deliveries => ["Deliveries", "Entregas", "Livraisons"],
    NoDeliveries => ["No deliveries yet.", "Todavía no hay entregas.", "Aucune livraison pour l'instant."],
    State => ["State", "Estado", "État"],
    Succeeded => ["Delivered", "Entregado", "Livré"],
    Failed => ["Failed", "Fallido", "Échoué"],
    Pending => ["Retrying", "Reintentando", "Nouvel essai"],
    Refresh => ["Refresh", "Actualizar", "Actualiser"],
    Event => ["Event", "Evento", "Événement"],
    Attempts => ["Attempts", "Intentos", "Tentatives"],
    LastAnswer => ["Last answer", "Última respuesta", "Dernière réponse"],
    When => ["When", "Cuándo", "Quand"],
    Replay => ["Send again", "Reenviar", "Renvoyer"],
    ReplayQueued => ["Queued to send again.", "En cola para reenviar.", "Mis en file pour renvoi."],
    ErrUrlNotAllowed => [
        "This URL points into a private network; Lazo does not send webhooks there.",
        "Esta URL apunta a una red privada; Lazo no envía webhooks allí.",
        "Cette URL pointe vers un réseau privé ; Lazo n'y envoie pas de webhooks."
    ],

    // ---- login
    LoginTitle => ["Sign in to Lazo", "Inicia sesión en Lazo", "Connexion à Lazo"],
    LoginTagline => [
        "Close the loop with every customer.",
        "Cierra el ciclo con cada cliente.",
        "Bouclez la boucle avec chaque client."
    ],
    Email => ["Email", "Correo electrónico", "E-mail"],
    Password => ["Password", "Contraseña", "Mot de passe"],
    SignIn => ["Sign in", "Iniciar sesión", "Se connecter"],
    SigningIn => ["Signing in…", "Iniciando sesión…", "Connexion…"],
    SessionExpired => [
        "Your session has ended. Sign in again to continue where you were.",
        "Tu sesión ha terminado. Inicia sesión de nuevo para continuar donde estabas.",
        "Votre session a expiré. Reconnectez-vous pour reprendre où vous étiez."
    ],

    // ---- follow-up page
    SearchTickets => ["Search tickets", "Buscar tickets", "Rechercher des tickets"],
    SearchPlaceholder => [
        "Number, email or words  ( / )",
        "Número, correo o palabras  ( / )",
        "Numéro, e-mail ou mots  ( / )"
    ],
    StatusOverview => ["Status overview", "Resumen por estado", "Aperçu par statut"],
    Total => ["Total", "Total", "Total"],
    Filters => ["Filters", "Filtros", "Filtres"],
    Status => ["Status", "Estado", "Statut"],
    Priority => ["Priority", "Prioridad", "Priorité"],
    Owner => ["Owner", "Propietario", "Propriétaire"],
    Group => ["Group", "Grupo", "Groupe"],
    OriginGroup => ["Origin group", "Grupo de origen", "Groupe d'origine"],
    Tags => ["Tags", "Etiquetas", "Étiquettes"],
    ReportedFrom => ["Reported from", "Reportado desde", "Signalé depuis"],
    ReportedTo => ["Reported until", "Reportado hasta", "Signalé jusqu'au"],
    AnyStatus => ["Any status", "Cualquier estado", "Tous les statuts"],
    AnyPriority => ["Any priority", "Cualquier prioridad", "Toutes les priorités"],
    Anyone => ["Anyone", "Cualquiera", "Tout le monde"],
    Me => ["Me", "Yo", "Moi"],
    Unassigned => ["Unassigned", "Sin asignar", "Non assigné"],
    AnyGroup => ["Any group", "Cualquier grupo", "Tous les groupes"],
    AnyType => ["Any type", "Cualquier tipo", "Tous les types"],
    OverdueOnly => ["Overdue only", "Solo vencidos", "En retard seulement"],
    NoGroup => ["No group", "Sin grupo", "Sans groupe"],
    ResetFilters => ["Reset filters", "Restablecer filtros", "Réinitialiser les filtres"],
    Columns => ["Columns", "Columnas", "Colonnes"],
    ColNumber => ["Number", "Número", "Numéro"],
    ColSubject => ["Subject", "Asunto", "Sujet"],
    ColEmail => ["Customer email", "Correo del cliente", "E-mail du client"],
    ColReported => ["Reported", "Reportado", "Signalé"],
    ColUpdated => ["Updated", "Actualizado", "Mis à jour"],
    ColDue => ["Due", "Vence", "Échéance"],
    ColComment => ["Customer comment", "Comentario del cliente", "Commentaire du client"],
    Tickets => ["Tickets", "Tickets", "Tickets"],
    NoTickets => [
        "No tickets match these filters.",
        "Ningún ticket coincide con estos filtros.",
        "Aucun ticket ne correspond à ces filtres."
    ],
    LoadMore => ["Load more", "Cargar más", "Charger plus"],
    ShowingOf => ["Showing {n} of {total}", "Mostrando {n} de {total}", "{n} affichés sur {total}"],
    SelectAll => ["Select all shown tickets", "Seleccionar los tickets mostrados", "Sélectionner les tickets affichés"],
    SelectTicket => ["Select ticket #{n}", "Seleccionar ticket #{n}", "Sélectionner le ticket #{n}"],
    SelectedCount => ["{n} selected", "{n} seleccionados", "{n} sélectionnés"],
    BulkBar => ["Bulk update", "Actualización masiva", "Mise à jour groupée"],
    NoChange => ["No change", "Sin cambios", "Inchangé"],
    ClearSelection => ["Clear selection", "Quitar selección", "Désélectionner"],
    BulkSummary => [
        "{ok} updated, {failed} not updated",
        "{ok} actualizados, {failed} sin actualizar",
        "{ok} mis à jour, {failed} non mis à jour"
    ],
    BulkNothing => [
        "Choose at least one change.",
        "Elige al menos un cambio.",
        "Choisissez au moins une modification."
    ],
    Updated => ["Updated", "Actualizado", "Mis à jour"],
    Overdue => ["Overdue", "Vencido", "En retard"],
    LastDaysHint => ["Reported in the last {n} days.", "Creados en los últimos {n} días.", "Signalés ces {n} derniers jours."],
    AllDates => ["Show all dates", "Ver todas las fechas", "Voir toutes les dates"],
    KeyboardHint => [
        "j/k or ↑/↓ move · Enter opens · x selects · / searches · ? all shortcuts",
        "j/k o ↑/↓ mover · Enter abre · x selecciona · / busca · ? todos los atajos",
        "j/k ou ↑/↓ déplacer · Entrée ouvre · x sélectionne · / recherche · ? tous les raccourcis"
    ],
    Shortcuts => ["Keyboard shortcuts", "Atajos de teclado", "Raccourcis clavier"],
    KsNextRow => ["Next row", "Fila siguiente", "Ligne suivante"],
    KsPrevRow => ["Previous row", "Fila anterior", "Ligne précédente"],
    KsOpen => ["Open the ticket", "Abrir el ticket", "Ouvrir le ticket"],
    KsSelect => ["Select for a bulk update", "Seleccionar para cambio masivo", "Sélectionner pour une modification groupée"],
    KsSearch => ["Search", "Buscar", "Rechercher"],
    KsClearSelection => ["Clear the selection", "Quitar la selección", "Effacer la sélection"],
    KsStatus => ["Change the status", "Cambiar el estado", "Changer le statut"],
    KsPriority => ["Change the priority", "Cambiar la prioridad", "Changer la priorité"],
    KsAssignMe => ["Assign to me", "Asignarme", "M'attribuer"],
    KsReply => ["Write a public reply", "Escribir una respuesta pública", "Écrire une réponse publique"],
    KsNote => ["Write an internal note", "Escribir una nota interna", "Écrire une note interne"],
    AssignedToYouUnsaved => [
        "Assigned to you: save to keep it (Ctrl+S).",
        "Asignado a ti: guarda para conservarlo (Ctrl+S).",
        "Attribué à vous : enregistrez pour le garder (Ctrl+S)."
    ],
    KsHelp => ["Show this list", "Mostrar esta lista", "Afficher cette liste"],

    // ---- ticket detail
    PrevTicket => ["Previous ticket", "Ticket anterior", "Ticket précédent"],
    NextTicket => ["Next ticket", "Ticket siguiente", "Ticket suivant"],
    PositionOf => ["{n} of {total}", "{n} de {total}", "{n} sur {total}"],
    CloseTicket => ["Close and back to the list", "Cerrar y volver a la lista", "Fermer et revenir à la liste"],
    TicketProperties => ["Ticket properties", "Propiedades del ticket", "Propriétés du ticket"],
    RootCause => ["Root cause", "Motivo principal", "Cause profonde"],
    RootCauseRequiredIn => ["Required in: {statuses}", "Obligatorio en: {statuses}", "Obligatoire en : {statuses}"],
    RootCauseProhibitedIn => ["Not allowed in: {statuses}", "No permitido en: {statuses}", "Interdite en : {statuses}"],
    RootCauseNeeded => [
        "{status} needs a root cause: choose one before saving.",
        "{status} requiere un motivo principal: elige uno antes de guardar.",
        "{status} exige une cause profonde : choisissez-en une avant d'enregistrer."
    ],
    RootCauseForbidden => [
        "{status} does not allow a root cause: clear it before saving.",
        "{status} no admite motivo principal: quítalo antes de guardar.",
        "{status} n'admet pas de cause profonde : retirez-la avant d'enregistrer."
    ],
    NoRootCauses => [
        "This ticket's type has no root causes.",
        "El tipo de este ticket no tiene motivos.",
        "Le type de ce ticket n'a pas de causes."
    ],
    DueDate => ["Due date", "Fecha de vencimiento", "Date d'échéance"],
    Type => ["Type", "Tipo", "Type"],
    NoType => ["No type", "Sin tipo", "Sans type"],
    Source => ["Source", "Fuente", "Source"],
    Description => ["Description", "Descripción", "Description"],
    Summary => ["Summary", "Resumen", "Résumé"],
    Score => ["Score", "Puntuación", "Note"],
    CustomerComment => ["Customer comment", "Comentario del cliente", "Commentaire du client"],
    Details => ["Details", "Detalles", "Détails"],
    Requester => ["Requester", "Solicitante", "Demandeur"],
    Name => ["Name", "Nombre", "Nom"],
    Phone => ["Phone", "Teléfono", "Téléphone"],
    ExternalRef => ["External reference", "Referencia externa", "Référence externe"],
    Visibility => ["Visibility", "Visibilidad", "Visibilité"],
    Public => ["Public", "Público", "Public"],
    Internal => ["Internal", "Interno", "Interne"],
    Created => ["Created", "Creado", "Créé"],
    Imported => ["Imported", "Importado", "Importé"],
    Comments => ["Comments", "Comentarios", "Commentaires"],
    History => ["History", "Historial", "Historique"],
    SubTickets => ["Sub-tickets", "Subtickets", "Sous-tickets"],
    PublicReply => ["Public reply", "Respuesta pública", "Réponse publique"],
    InternalNote => ["Internal note", "Nota interna", "Note interne"],
    AddComment => ["Add comment", "Añadir comentario", "Ajouter le commentaire"],
    AddNote => ["Add internal note", "Añadir nota interna", "Ajouter la note interne"],
    ReplyPlaceholder => [
        "Write a reply the customer may see…",
        "Escribe una respuesta que el cliente puede ver…",
        "Écrivez une réponse que le client peut voir…"
    ],
    NotePlaceholder => [
        "Write an internal note — never shown to the customer…",
        "Escribe una nota interna: nunca se muestra al cliente…",
        "Écrivez une note interne — jamais montrée au client…"
    ],
    NoComments => ["No comments yet.", "Aún no hay comentarios.", "Pas encore de commentaires."],
    Edited => ["edited", "editado", "modifié"],
    Comment => ["Comment", "Comentario", "Commentaire"],
    ChangeComment => ["Comment on this change", "Comentario sobre el cambio", "Commentaire sur la modification"],
    ChangeCommentRequired => [
        "Your organisation requires a comment with every update.",
        "Tu organización exige un comentario en cada actualización.",
        "Votre organisation exige un commentaire à chaque mise à jour."
    ],
    ChangeCommentInternal => ["Internal note", "Nota interna", "Note interne"],
    UnsavedChanges => ["Unsaved changes", "Cambios sin guardar", "Modifications non enregistrées"],
    LeaveTitle => ["Discard unsaved changes?", "¿Descartar los cambios sin guardar?", "Abandonner les modifications non enregistrées ?"],
    LeaveText => [
        "You changed this ticket's properties without saving them. Leaving the ticket discards those changes.",
        "Cambiaste las propiedades de este ticket sin guardarlas. Si sales del ticket, esos cambios se descartan.",
        "Vous avez modifié les propriétés de ce ticket sans les enregistrer. Quitter le ticket abandonne ces modifications."
    ],
    KeepEditing => ["Keep editing", "Seguir editando", "Continuer l'édition"],
    DiscardAndLeave => ["Discard and leave", "Descartar y salir", "Abandonner et quitter"],
    ReadOnlyParent => [
        "Read-only: you see this parent ticket because you own one of its sub-tickets. You can still comment.",
        "Solo lectura: ves este ticket padre porque eres propietario de uno de sus subtickets. Aún puedes comentar.",
        "Lecture seule : vous voyez ce ticket parent car vous possédez l'un de ses sous-tickets. Vous pouvez commenter."
    ],
    ParentTicket => ["Parent ticket", "Ticket padre", "Ticket parent"],
    NewSubTicket => ["New sub-ticket", "Nuevo subticket", "Nouveau sous-ticket"],
    CreateSubTicket => ["Create sub-ticket", "Crear subticket", "Créer le sous-ticket"],
    NoSubTickets => ["No sub-tickets.", "Sin subtickets.", "Aucun sous-ticket."],
    SubTicketCreated => ["Sub-ticket #{n} created.", "Subticket #{n} creado.", "Sous-ticket #{n} créé."],
    TicketSaved => ["Ticket saved.", "Ticket guardado.", "Ticket enregistré."],
    NoOwner => ["No owner", "Sin propietario", "Sans propriétaire"],
    OwnerSearch => ["Type a person or group", "Escribe una persona o grupo", "Tapez une personne ou un groupe"],
    People => ["People", "Personas", "Personnes"],
    NoMatches => ["No matches", "Sin resultados", "Aucun résultat"],
    HistoryCreated => ["created the ticket", "creó el ticket", "a créé le ticket"],
    NoHistory => ["No history yet.", "Aún no hay historial.", "Pas encore d'historique."],
    By => ["by", "por", "par"],
    System => ["System", "Sistema", "Système"],
    DeleteTicket => ["Delete ticket", "Eliminar ticket", "Supprimer le ticket"],
    TicketDeleted => ["Ticket deleted.", "Ticket eliminado.", "Ticket supprimé."],

    // ---- new ticket
    Subject => ["Subject", "Asunto", "Sujet"],
    CreateTicket => ["Create ticket", "Crear ticket", "Créer le ticket"],
    RequesterEmail => ["Requester email", "Correo del solicitante", "E-mail du demandeur"],
    RequesterName => ["Requester name", "Nombre del solicitante", "Nom du demandeur"],
    TagsHint => ["Separate tags with commas", "Separa las etiquetas con comas", "Séparez les étiquettes par des virgules"],
    FirstComment => ["First comment", "Primer comentario", "Premier commentaire"],
    FixErrors => [
        "Some fields need your attention.",
        "Algunos campos necesitan tu atención.",
        "Certains champs demandent votre attention."
    ],
    TicketCreated => ["Ticket #{n} created.", "Ticket #{n} creado.", "Ticket #{n} créé."],
    DefaultValue => ["Default", "Predeterminado", "Par défaut"],

    // ---- admin
    Role => ["Role", "Rol", "Rôle"],
    Active => ["Active", "Activo", "Actif"],
    Inactive => ["Inactive", "Inactivo", "Inactif"],
    NewUser => ["New user", "Nuevo usuario", "Nouvel utilisateur"],
    NewPassword => ["New password", "Nueva contraseña", "Nouveau mot de passe"],
    NewGroup => ["New group", "Nuevo grupo", "Nouveau groupe"],
    Members => ["Members", "Miembros", "Membres"],
    Manager => ["Manager", "Responsable", "Responsable"],
    RestrictAssignees => [
        "Only members may own its tickets",
        "Solo los miembros pueden ser propietarios",
        "Seuls les membres peuvent en être propriétaires"
    ],
    AddMember => ["Add member", "Añadir miembro", "Ajouter un membre"],
    NewStatus => ["New status", "Nuevo estado", "Nouveau statut"],
    Category => ["Category", "Categoría", "Catégorie"],
    Position => ["Position", "Posición", "Position"],
    MoveUp => ["Move up", "Subir", "Monter"],
    MoveDown => ["Move down", "Bajar", "Descendre"],
    NewType => ["New ticket type", "Nuevo tipo de ticket", "Nouveau type de ticket"],
    ShowSummary => ["Show the summary", "Mostrar el resumen", "Afficher le résumé"],
    ShowSurvey => ["Show the survey response", "Mostrar la respuesta de la encuesta", "Afficher la réponse à l'enquête"],
    RootCauses => ["Root causes", "Motivos principales", "Causes profondes"],
    AddRootCause => ["Add root cause", "Añadir motivo", "Ajouter une cause"],
    RootCauseRules => [
        "Root cause per status",
        "Motivo principal por estado",
        "Cause profonde par statut"
    ],
    RuleOptional => ["Optional", "Opcional", "Facultative"],
    RuleRequired => ["Required", "Obligatorio", "Obligatoire"],
    RuleProhibited => ["Not allowed", "No permitido", "Interdite"],
    CustomFieldsDefs => ["Custom fields", "Campos personalizados", "Champs personnalisés"],
    AddField => ["Add field", "Añadir campo", "Ajouter un champ"],
    FieldKey => ["Key", "Clave", "Clé"],
    FieldLabel => ["Label", "Etiqueta", "Libellé"],
    FieldKindLabel => ["Kind", "Tipo", "Nature"],
    FieldRequired => ["Required", "Obligatorio", "Obligatoire"],
    FieldOptions => ["Options (comma-separated)", "Opciones (separadas por comas)", "Options (séparées par des virgules)"],
    OrgName => ["Organisation name", "Nombre de la organización", "Nom de l'organisation"],
    AgentsMayClose => ["Agents may close tickets", "Los agentes pueden cerrar tickets", "Les agents peuvent fermer les tickets"],
    CommentRequiredSetting => [
        "A comment is required with every update",
        "Se exige un comentario en cada actualización",
        "Un commentaire est exigé à chaque mise à jour"
    ],
    InboundEmailStatus => [
        "Status after an inbound customer email",
        "Estado tras un correo entrante del cliente",
        "Statut après un e-mail entrant du client"
    ],
    Unchanged => ["Unchanged", "Sin cambio", "Inchangé"],

    // ---- enums
    PriorityLow => ["Low", "Baja", "Basse"],
    PriorityMedium => ["Medium", "Media", "Moyenne"],
    PriorityHigh => ["High", "Alta", "Haute"],
    PriorityCritical => ["Critical", "Crítica", "Critique"],
    CatNew => ["New", "Nuevo", "Nouveau"],
    CatOpen => ["Open", "Abierto", "Ouvert"],
    CatPending => ["Pending", "Pendiente", "En attente"],
    CatClosed => ["Closed", "Cerrado", "Fermé"],
    RoleAdmin => ["Admin", "Administrador", "Administrateur"],
    RoleTicketAdmin => ["Ticket admin", "Administrador de tickets", "Administrateur des tickets"],
    RoleAgent => ["Agent", "Agente", "Agent"],
    KindText => ["Text", "Texto", "Texte"],
    KindNumber => ["Number", "Número", "Nombre"],
    KindDate => ["Date", "Fecha", "Date"],
    KindChoice => ["Choice", "Opción", "Choix"],
    KindEmail => ["Email", "Correo", "E-mail"],

    // ---- errors in plain words
    ErrNetwork => [
        "Cannot reach the server. Check your connection and try again.",
        "No se puede contactar con el servidor. Comprueba tu conexión y vuelve a intentarlo.",
        "Impossible de joindre le serveur. Vérifiez votre connexion et réessayez."
    ],
    ErrServer => [
        "The server had a problem. Try again in a moment.",
        "El servidor tuvo un problema. Inténtalo de nuevo en un momento.",
        "Le serveur a rencontré un problème. Réessayez dans un instant."
    ],
    ErrUnexpected => [
        "The server sent an answer this app does not understand.",
        "El servidor envió una respuesta que esta aplicación no entiende.",
        "Le serveur a envoyé une réponse que cette application ne comprend pas."
    ],
    ErrNotFound => [
        "It does not exist, or you may not see it.",
        "No existe o no tienes acceso.",
        "Introuvable, ou vous n'y avez pas accès."
    ],
    ErrForbidden => [
        "You are not allowed to do that.",
        "No tienes permiso para hacer eso.",
        "Vous n'êtes pas autorisé à faire cela."
    ],
    ErrStale => [
        "Someone changed this ticket meanwhile. It has been reloaded: check it and make your change again.",
        "Alguien cambió este ticket mientras tanto. Se ha recargado: revísalo y vuelve a hacer tu cambio.",
        "Quelqu'un a modifié ce ticket entre-temps. Il a été rechargé : vérifiez-le et refaites votre modification."
    ],
    ErrRateLimited => [
        "Too many attempts. Try again in {n} seconds.",
        "Demasiados intentos. Vuelve a intentarlo en {n} segundos.",
        "Trop de tentatives. Réessayez dans {n} secondes."
    ],
    ErrInvalidCredentials => [
        "Wrong email or password.",
        "Correo o contraseña incorrectos.",
        "E-mail ou mot de passe incorrect."
    ],
    ErrRootCauseRequired => [
        "This status requires a root cause: choose one.",
        "Este estado requiere un motivo principal: elige uno.",
        "Ce statut exige une cause profonde : choisissez-en une."
    ],
    ErrRootCauseProhibited => [
        "This status does not allow a root cause: clear it first.",
        "Este estado no admite motivo principal: quítalo primero.",
        "Ce statut n'admet pas de cause profonde : retirez-la d'abord."
    ],
    ErrClosingNotAllowed => [
        "Only admins may close tickets in this organisation.",
        "En esta organización solo los administradores pueden cerrar tickets.",
        "Dans cette organisation, seuls les administrateurs ferment les tickets."
    ],
    ErrOwnerNotInGroup => [
        "This group only accepts its members as owners.",
        "Este grupo solo acepta a sus miembros como propietarios.",
        "Ce groupe n'accepte que ses membres comme propriétaires."
    ],
    ErrCommentRequired => [
        "This organisation requires a comment with every update.",
        "Esta organización exige un comentario en cada actualización.",
        "Cette organisation exige un commentaire à chaque mise à jour."
    ],
    ErrRequired => ["This field is required.", "Este campo es obligatorio.", "Ce champ est obligatoire."],
    ErrNotSnoozed => [
        "This ticket is not snoozed (any more).",
        "Este ticket ya no está pospuesto.",
        "Ce ticket n'est plus reporté."
    ],
    ErrTicketClosed => [
        "A closed ticket cannot be snoozed.",
        "Un ticket cerrado no se puede posponer.",
        "Un ticket clos ne peut pas être reporté."
    ],
    ErrSnoozeInPast => [
        "Choose a moment in the future.",
        "Elige un momento en el futuro.",
        "Choisissez un moment dans le futur."
    ],
    // ---- snooze
    Snooze => ["Snooze", "Posponer", "Reporter"],
    SnoozeHelp => [
        "The ticket waits in a pending status and reopens by itself at the chosen time.",
        "El ticket espera en un estado pendiente y se reabre solo a la hora elegida.",
        "Le ticket attend dans un statut en attente et se rouvre tout seul à l'heure choisie."
    ],
    SnoozeTomorrow => ["Tomorrow 9:00", "Mañana a las 9:00", "Demain à 9 h"],
    SnoozeNextMonday => ["Next Monday 9:00", "El próximo lunes a las 9:00", "Lundi prochain à 9 h"],
    SnoozeInAWeek => ["In a week", "Dentro de una semana", "Dans une semaine"],
    SnoozeAt => ["Date and time", "Fecha y hora", "Date et heure"],
    SnoozedUntil => ["Snoozed until {date}", "Pospuesto hasta {date}", "Reporté jusqu'au {date}"],
    Unsnooze => ["Unsnooze", "Reanudar ahora", "Rouvrir maintenant"],
    ChangeSnooze => ["Change", "Cambiar", "Modifier"],
    SnoozeUntilField => ["Snoozed until", "Pospuesto hasta", "Reporté jusqu'au"],
    TicketSnoozed => ["Snoozed until {date}.", "Pospuesto hasta {date}.", "Reporté jusqu'au {date}."],
    TicketUnsnoozed => ["Reopened.", "Reabierto.", "Rouvert."],
    // Links and merge.
    Links => ["Links", "Vínculos", "Liens"],
    NoLinks => ["No linked tickets.", "Sin tickets vinculados.", "Aucun ticket lié."],
    AddLink => ["Link a ticket", "Vincular un ticket", "Lier un ticket"],
    LinkTicketNumber => ["Ticket number", "Número de ticket", "Numéro du ticket"],
    LinkKindField => ["Kind of link", "Tipo de vínculo", "Type de lien"],
    LinkSubmit => ["Link", "Vincular", "Lier"],
    RemoveLink => ["Remove link", "Quitar vínculo", "Retirer le lien"],
    LinkAdded => ["Linked to #{n}.", "Vinculado a #{n}.", "Lié à #{n}."],
    LinkRemoved => ["Link removed.", "Vínculo quitado.", "Lien retiré."],
    LinkRelated => ["Related", "Relacionado", "Lié"],
    LinkDuplicateOf => ["Duplicate of", "Duplicado de", "Doublon de"],
    LinkDuplicatedBy => ["Duplicated by", "Duplicado por", "Dupliqué par"],
    LinkMergedInto => ["Merged into", "Fusionado en", "Fusionné dans"],
    LinkMergedFrom => ["Merged from", "Fusionado desde", "Fusion de"],
    LinkParent => ["Parent ticket", "Ticket padre", "Ticket parent"],
    LinkChild => ["Sub-ticket", "Subticket", "Sous-ticket"],
    MergeInto => ["Merge into…", "Fusionar en…", "Fusionner dans…"],
    MergeTitle => ["Merge #{n} into another ticket", "Fusionar #{n} en otro ticket", "Fusionner #{n} dans un autre ticket"],
    MergeHelp => [
        "This ticket is closed and linked to the one you name. Its comments, emails and history stay here; email replies go to the other ticket.",
        "Este ticket se cierra y queda vinculado al que indiques. Sus comentarios, correos e historial se quedan aquí; las respuestas por correo van al otro ticket.",
        "Ce ticket est fermé et lié à celui que vous indiquez. Ses commentaires, e-mails et historique restent ici ; les réponses par e-mail vont à l'autre ticket."
    ],
    MergeTarget => ["Merge into ticket number", "Fusionar en el ticket número", "Fusionner dans le ticket numéro"],
    MergeComment => ["Comment (optional, added to both tickets)", "Comentario (opcional, en ambos tickets)", "Commentaire (facultatif, ajouté aux deux tickets)"],
    MergeConfirm => ["Merge and close", "Fusionar y cerrar", "Fusionner et fermer"],
    MergedInto => ["Merged into #{n}", "Fusionado en #{n}", "Fusionné dans #{n}"],
    MergedBannerHelp => ["Work continues on the surviving ticket; replies by email land there.", "El trabajo continúa en el ticket que queda; las respuestas por correo llegan allí.", "Le travail continue sur le ticket conservé ; les réponses par e-mail y arrivent."],
    ErrLinkExists => ["These tickets are already linked so.", "Estos tickets ya están vinculados así.", "Ces tickets sont déjà liés ainsi."],
    ErrSelfLink => ["A ticket cannot be linked to or merged into itself.", "Un ticket no puede vincularse ni fusionarse consigo mismo.", "Un ticket ne peut pas être lié ni fusionné à lui-même."],
    ErrAlreadyMerged => ["This ticket was merged already.", "Este ticket ya se fusionó.", "Ce ticket a déjà été fusionné."],
    ErrMergeLinkFixed => ["A merge cannot be undone.", "Una fusión no se puede deshacer.", "Une fusion ne peut pas être annulée."],
    // ---- ticket layout: conversation first, folding sections, list cards
    ConversationTab => ["Comments & mail", "Comentarios y correo", "Commentaires et courrier"],
    ConversationOrder => ["Order of the conversation", "Orden de la conversación", "Ordre de la conversation"],
    OldestFirst => ["Oldest first", "Más antiguos primero", "Plus anciens d'abord"],
    NewestFirst => ["Newest first", "Más recientes primero", "Plus récents d'abord"],
    FoldHide => ["Collapse {name}", "Contraer {name}", "Replier {name}"],
    FoldShow => ["Expand {name}", "Expandir {name}", "Déplier {name}"],
    TicketContext => ["Customer and related tickets", "Cliente y tickets relacionados", "Client et tickets liés"],
    EmailEntry => ["Email", "Correo", "E-mail"],
    UpdatedOn => ["Updated {date}", "Actualizado {date}", "Mis à jour {date}"],
    DueOn => ["Due {date}", "Vence {date}", "Échéance {date}"],
    // ---- every other code the server sends (see `problem_code`)
    ErrTooLong => ["This is too long.", "Es demasiado largo.", "C'est trop long."],
    ErrTooMany => ["There are too many.", "Hay demasiados.", "Il y en a trop."],
    ErrInvalid => ["This value is not valid.", "Este valor no es válido.", "Cette valeur n'est pas valide."],
    ErrInvalidValue => ["This value is not allowed here.", "Este valor no está permitido aquí.", "Cette valeur n'est pas permise ici."],
    ErrInvalidCharacter => ["This text contains a character that cannot be stored.", "Este texto contiene un carácter que no se puede guardar.", "Ce texte contient un caractère qui ne peut pas être enregistré."],
    ErrNotAnObject => ["The request was malformed.", "La solicitud estaba mal formada.", "La requête était mal formée."],
    ErrOutOfRange => ["This value is out of range.", "Este valor está fuera del rango permitido.", "Cette valeur est hors limites."],
    ErrDuplicate => ["This appears twice.", "Esto aparece dos veces.", "Ceci apparaît deux fois."],
    ErrTaken => ["This is already in use.", "Esto ya está en uso.", "Ceci est déjà utilisé."],
    ErrUnknownField => ["This field is not known.", "Este campo no es conocido.", "Ce champ n'est pas connu."],
    ErrInactive => ["This choice is no longer active.", "Esta opción ya no está activa.", "Ce choix n'est plus actif."],
    ErrUnknownReference => ["This choice does not exist (any more).", "Esta opción no existe (ya).", "Ce choix n'existe pas (ou plus)."],
    ErrRootCauseUnknown => ["This root cause does not belong to the ticket's type.", "Este motivo principal no pertenece al tipo del ticket.", "Cette cause profonde n'appartient pas au type du ticket."],
    ErrBadRequest => ["The request could not be read.", "No se pudo leer la solicitud.", "La requête n'a pas pu être lue."],
    ErrInvalidQuery => ["The search or filter is not valid.", "La búsqueda o el filtro no es válido.", "La recherche ou le filtre n'est pas valide."],
    ErrInvalidCursor => ["This page of results is no longer valid: reload the list.", "Esta página de resultados ya no es válida: recarga la lista.", "Cette page de résultats n'est plus valide : rechargez la liste."],
    ErrIdempotencyKeyReused => ["This request was already sent with other content.", "Esta solicitud ya se envió con otro contenido.", "Cette requête a déjà été envoyée avec un autre contenu."],
    ErrMethodNotAllowed => ["This action is not available here.", "Esta acción no está disponible aquí.", "Cette action n'est pas disponible ici."],
    ErrConflict => ["This conflicts with the current data: reload and try again.", "Esto choca con los datos actuales: recarga y vuelve a intentarlo.", "Ceci est en conflit avec les données actuelles : rechargez et réessayez."],
    ErrInUse => ["It is still in use, so it cannot be removed.", "Todavía está en uso, así que no se puede eliminar.", "C'est encore utilisé, donc impossible de le supprimer."],
    ErrGroupInUse => ["Tickets still belong to or came from this group: move them first.", "Hay tickets que pertenecen o vienen de este grupo: muévelos primero.", "Des tickets appartiennent encore à ce groupe ou en viennent : déplacez-les d'abord."],
    ErrNameTaken => ["Another one already has this name.", "Ya existe otro con este nombre.", "Un autre porte déjà ce nom."],
    ErrEmailTaken => ["Someone else already has this email.", "Otra persona ya tiene este correo.", "Quelqu'un d'autre a déjà cet e-mail."],
    ErrPayloadTooLarge => ["This is too large to send.", "Es demasiado grande para enviarlo.", "C'est trop volumineux pour être envoyé."],
    ErrUnsupportedMediaType => ["This kind of content cannot be sent here.", "Este tipo de contenido no se puede enviar aquí.", "Ce type de contenu ne peut pas être envoyé ici."],
    ErrPreconditionRequired => ["Reload the ticket and make your change again.", "Recarga el ticket y vuelve a hacer tu cambio.", "Rechargez le ticket et refaites votre modification."],
    ErrTooManyRequests => ["Too many attempts. Wait a moment and try again.", "Demasiados intentos. Espera un momento y vuelve a intentarlo.", "Trop de tentatives. Patientez un instant et réessayez."],
    ErrUnavailable => ["The service is unavailable right now. Try again in a moment.", "El servicio no está disponible ahora. Vuelve a intentarlo en un momento.", "Le service est indisponible pour le moment. Réessayez dans un instant."],
    ErrJobNotRetryable => ["Only a failed job can be run again.", "Solo se puede volver a ejecutar una tarea fallida.", "Seule une tâche en échec peut être relancée."],
    ErrExternalRefTaken => ["Another contact has this external reference.", "Otro contacto tiene esta referencia externa.", "Un autre contact a cette référence externe."],
    ErrDuplicateResponse => ["A different response with this external id was already received.", "Ya se recibió otra respuesta con este id externo.", "Une autre réponse avec cet identifiant externe a déjà été reçue."],
    ErrTargetMerged => ["That ticket was merged into another: merge into the one still worked on.", "Ese ticket se fusionó en otro: fusiona en el que sigue en curso.", "Ce ticket a été fusionné dans un autre : fusionnez dans celui qui est encore traité."],
    ErrOpenSubTickets => ["This ticket has open sub-tickets: close or move them first.", "Este ticket tiene subtickets abiertos: ciérralos o muévelos primero.", "Ce ticket a des sous-tickets ouverts : fermez-les ou déplacez-les d'abord."],
    ErrLastNewStatus => ["Keep at least one active status of category New.", "Mantén al menos un estado activo de la categoría Nuevo.", "Gardez au moins un statut actif de catégorie Nouveau."],
    ErrSelfLockout => ["You cannot demote or deactivate yourself.", "No puedes quitarte el rol de administrador ni desactivarte.", "Vous ne pouvez pas vous rétrograder ni vous désactiver."],
    ErrAddressBounced => ["Mail to this address bounced permanently.", "El correo a esta dirección rebotó de forma permanente.", "Le courrier vers cette adresse a été rejeté définitivement."],
    ErrEmailNotRetryable => ["Only a failed or waiting email can be sent again.", "Solo se puede reenviar un correo fallido o en espera.", "Seul un e-mail en échec ou en attente peut être renvoyé."],
    ErrAlreadyProcessed => ["This message was processed already.", "Este mensaje ya se procesó.", "Ce message a déjà été traité."],
    ErrDuplicateMessageId => ["Another message has this Message-ID.", "Otro mensaje tiene este Message-ID.", "Un autre message a ce Message-ID."],
    // ---- names per language
    // Beside a "Name" field: the language is the label.
    NameEs => ["In Spanish", "En español", "En espagnol"],
    NameFr => ["In French", "En francés", "En français"],
    OptionLabels => ["Option labels (es / fr)", "Etiquetas de opciones (es / fr)", "Libellés des options (es / fr)"],
    Sources => ["Sources", "Fuentes", "Sources"],
    SourceKey => ["Key (as tickets carry it)", "Clave (como la llevan los tickets)", "Clé (telle que les tickets la portent)"],
    AddSource => ["Add source", "Añadir fuente", "Ajouter une source"],
    // ---- date inputs
    PickDate => ["Open the calendar", "Abrir el calendario", "Ouvrir le calendrier"],
    ErrDateFormat => ["Write the date as {f}.", "Escribe la fecha como {f}.", "Écrivez la date au format {f}."],
}

/// A string with `{name}` placeholders filled in.
pub fn fill(lang: Lang, key: T, args: &[(&str, &str)]) -> String {
    let mut s = key.get(lang).to_owned();
    for (name, value) in args {
        s = s.replace(&format!("{{{name}}}"), value);
    }
    s
}

pub fn priority(p: Priority) -> T {
    match p {
        Priority::Low => T::PriorityLow,
        Priority::Medium => T::PriorityMedium,
        Priority::High => T::PriorityHigh,
        Priority::Critical => T::PriorityCritical,
    }
}

pub fn category(c: StatusCategory) -> T {
    match c {
        StatusCategory::New => T::CatNew,
        StatusCategory::Open => T::CatOpen,
        StatusCategory::Pending => T::CatPending,
        StatusCategory::Closed => T::CatClosed,
    }
}

pub fn link_kind(k: lazo_domain::links::LinkKind) -> T {
    use lazo_domain::links::LinkKind as K;
    match k {
        K::Related => T::LinkRelated,
        K::DuplicateOf => T::LinkDuplicateOf,
        K::DuplicatedBy => T::LinkDuplicatedBy,
        K::MergedInto => T::LinkMergedInto,
        K::MergedFrom => T::LinkMergedFrom,
        K::Parent => T::LinkParent,
        K::Child => T::LinkChild,
    }
}

pub fn role(r: Role) -> T {
    match r {
        Role::Admin => T::RoleAdmin,
        Role::TicketAdmin => T::RoleTicketAdmin,
        Role::Agent => T::RoleAgent,
    }
}

pub fn field_kind(k: FieldKind) -> T {
    match k {
        FieldKind::Text => T::KindText,
        FieldKind::Number => T::KindNumber,
        FieldKind::Date => T::KindDate,
        FieldKind::Choice => T::KindChoice,
        FieldKind::Email => T::KindEmail,
    }
}

/// The text of every code the server sends (`ErrorCode`), in one table so a
/// test can tell a code left without words (see `every_error_code_has_a_text`).
const CODE_TEXTS: &[(lazo_domain::ErrorCode, T)] = {
    use lazo_domain::ErrorCode as E;
    &[
        (E::Required, T::ErrRequired),
        (E::TooLong, T::ErrTooLong),
        (E::TooMany, T::ErrTooMany),
        (E::Invalid, T::ErrInvalid),
        (E::InvalidValue, T::ErrInvalidValue),
        (E::InvalidCharacter, T::ErrInvalidCharacter),
        (E::NotAnObject, T::ErrNotAnObject),
        (E::OutOfRange, T::ErrOutOfRange),
        (E::Duplicate, T::ErrDuplicate),
        (E::Taken, T::ErrTaken),
        (E::UnknownField, T::ErrUnknownField),
        (E::Inactive, T::ErrInactive),
        (E::UnknownReference, T::ErrUnknownReference),
        (E::RootCauseRequired, T::ErrRootCauseRequired),
        (E::RootCauseProhibited, T::ErrRootCauseProhibited),
        (E::RootCauseUnknown, T::ErrRootCauseUnknown),
        (E::ClosingNotAllowed, T::ErrClosingNotAllowed),
        (E::OwnerNotInGroup, T::ErrOwnerNotInGroup),
        (E::CommentRequired, T::ErrCommentRequired),
        (E::ValidationFailed, T::FixErrors),
        (E::BadBody, T::ErrBadRequest),
        (E::MalformedJson, T::ErrBadRequest),
        (E::InvalidQuery, T::ErrInvalidQuery),
        (E::InvalidCursor, T::ErrInvalidCursor),
        (E::InvalidIfMatch, T::ErrPreconditionRequired),
        (E::InvalidIdempotencyKey, T::ErrBadRequest),
        (E::IdempotencyKeyReused, T::ErrIdempotencyKeyReused),
        (E::Unauthenticated, T::SessionExpired),
        (E::InvalidCredentials, T::ErrInvalidCredentials),
        (E::Forbidden, T::ErrForbidden),
        (E::NotFound, T::ErrNotFound),
        (E::MethodNotAllowed, T::ErrMethodNotAllowed),
        (E::Conflict, T::ErrConflict),
        (E::InUse, T::ErrInUse),
        (E::GroupInUse, T::ErrGroupInUse),
        (E::NameTaken, T::ErrNameTaken),
        (E::EmailTaken, T::ErrEmailTaken),
        (E::Stale, T::ErrStale),
        (E::PayloadTooLarge, T::ErrPayloadTooLarge),
        (E::UnsupportedMediaType, T::ErrUnsupportedMediaType),
        (E::PreconditionRequired, T::ErrPreconditionRequired),
        (E::RateLimited, T::ErrTooManyRequests),
        (E::Internal, T::ErrServer),
        (E::Unavailable, T::ErrUnavailable),
        (E::TicketClosed, T::ErrTicketClosed),
        (E::NotSnoozed, T::ErrNotSnoozed),
        (E::JobNotRetryable, T::ErrJobNotRetryable),
        (E::UrlNotAllowed, T::ErrUrlNotAllowed),
        (E::ExternalRefTaken, T::ErrExternalRefTaken),
        (E::DuplicateResponse, T::ErrDuplicateResponse),
        (E::LinkExists, T::ErrLinkExists),
        (E::SelfLink, T::ErrSelfLink),
        (E::AlreadyMerged, T::ErrAlreadyMerged),
        (E::TargetMerged, T::ErrTargetMerged),
        (E::OpenSubTickets, T::ErrOpenSubTickets),
        (E::MergeLinkFixed, T::ErrMergeLinkFixed),
        (E::LastNewStatus, T::ErrLastNewStatus),
        (E::SelfLockout, T::ErrSelfLockout),
        (E::AddressBounced, T::ErrAddressBounced),
        (E::EmailNotRetryable, T::ErrEmailNotRetryable),
        (E::AlreadyProcessed, T::ErrAlreadyProcessed),
        (E::DuplicateMessageId, T::ErrDuplicateMessageId),
    ]
};

/// The plain-words text for a problem or field code; `None` only for a code
/// this build does not know (a newer server).
pub fn problem_code(code: &str) -> Option<T> {
    let code: lazo_domain::ErrorCode = code.parse().ok()?;
    CODE_TEXTS.iter().find(|(c, _)| *c == code).map(|(_, t)| *t)
}

/// Field codes whose server message is more precise than the text (it names
/// the field and the limit), which an English reader gets as it is.
pub fn is_generic_field_code(code: &str) -> bool {
    use lazo_domain::ErrorCode as E;
    code.parse::<E>().is_ok_and(|c| {
        matches!(
            c,
            E::Required
                | E::TooLong
                | E::TooMany
                | E::Invalid
                | E::InvalidValue
                | E::InvalidCharacter
                | E::OutOfRange
                | E::Duplicate
                | E::Taken
                | E::UnknownField
                | E::Inactive
                | E::UnknownReference
                | E::NameTaken
                | E::EmailTaken
        )
    })
}

/// One field error in plain words: translated when its code is known.
pub fn field_message(e: &FieldError, lang: Lang) -> String {
    match problem_code(&e.code) {
        // The server's English names the field and the limit.
        Some(_) if lang == Lang::En && is_generic_field_code(&e.code) => e.message.clone(),
        Some(t) => with_refs(t.get(lang), &ticket_refs(&e.message)),
        None => e.message.clone(),
    }
}

/// The ticket numbers (`#1042`) a server message names: the one part of it a
/// translated text cannot know (a merge's survivor, open sub-tickets).
pub fn ticket_refs(text: &str) -> Vec<&str> {
    let mut refs: Vec<&str> = text
        .split(|c: char| !(c == '#' || c.is_ascii_digit()))
        .filter(|w| w.len() > 1 && w.starts_with('#') && w[1..].bytes().all(|b| b.is_ascii_digit()))
        .collect();
    refs.dedup();
    refs
}

pub fn with_refs(text: &str, refs: &[&str]) -> String {
    if refs.is_empty() {
        text.to_owned()
    } else {
        format!("{text} ({})", refs.join(", "))
    }
}

/// The label of a ticket field as history names it. Exhaustive on purpose:
/// a new history field does not compile until it is given a label here (or
/// `None`, for rows the history shows by their own wording).
pub fn history_field(field: &str) -> Option<T> {
    use lazo_domain::HistoryField as H;
    Some(match field.parse::<H>().ok()? {
        H::Subject => T::Subject,
        H::Description => T::Description,
        H::Status => T::Status,
        H::Priority => T::Priority,
        H::Owner => T::Owner,
        H::Group => T::Group,
        H::RootCause => T::RootCause,
        H::Type => T::Type,
        H::Tags => T::Tags,
        H::Source => T::Source,
        H::DueAt => T::DueDate,
        H::Requester => T::Requester,
        H::Public => T::Visibility,
        H::SummaryScore => T::Score,
        H::SummaryComment => T::CustomerComment,
        H::Comment => T::Comment,
        H::SubTicket => T::SubTickets,
        H::SnoozeUntil => T::SnoozeUntilField,
        H::EmailQueued => T::HistEmailQueued,
        H::EmailFailed => T::HistEmailFailed,
        H::EmailReceived => T::HistEmailReceived,
        H::Forwarded => T::HistForwarded,
        H::Imported => T::Imported,
        H::Attachment => T::HistAttachment,
        H::LinkRelated => T::LinkRelated,
        H::LinkDuplicateOf => T::LinkDuplicateOf,
        H::LinkDuplicatedBy => T::LinkDuplicatedBy,
        H::MergedInto => T::LinkMergedInto,
        H::MergedFrom => T::LinkMergedFrom,
        H::Created | H::InternalNote | H::CommentEdited | H::CommentDeleted => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut out: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn every_string_exists_in_every_language() {
        for key in T::ALL {
            for lang in Lang::ALL {
                assert!(
                    !key.get(*lang).trim().is_empty(),
                    "{key:?} is empty in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn placeholders_match_across_languages() {
        for key in T::ALL {
            let en = placeholders(key.get(Lang::En));
            for lang in [Lang::Es, Lang::Fr] {
                assert_eq!(placeholders(key.get(lang)), en, "{key:?} in {lang:?}");
            }
        }
    }

    #[test]
    fn most_strings_are_actually_translated() {
        // Guards against pasting English into the other columns: a few words
        // (Total, Tickets, Public...) are the same, most are not.
        for lang in [Lang::Es, Lang::Fr] {
            let same = T::ALL
                .iter()
                .filter(|k| k.get(lang) == k.get(Lang::En))
                .count();
            assert!(
                same * 10 < T::ALL.len(),
                "{same} strings untranslated in {lang:?}"
            );
        }
    }

    #[test]
    fn the_browser_language_picks_the_interface_language() {
        assert_eq!(Lang::pick(["de-DE", "es-MX", "en"]), Lang::Es);
        assert_eq!(Lang::pick(["fr"]), Lang::Fr);
        assert_eq!(Lang::pick(["pt-BR"]), Lang::En);
        assert_eq!(Lang::pick([]), Lang::En);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(
            fill(Lang::Es, T::ShowingOf, &[("n", "50"), ("total", "312")]),
            "Mostrando 50 de 312"
        );
    }

    #[test]
    fn enum_values_have_labels() {
        for p in Priority::ALL {
            assert!(!priority(*p).get(Lang::Fr).is_empty());
        }
        assert_eq!(category(StatusCategory::Pending).get(Lang::Es), "Pendiente");
        assert_eq!(
            problem_code("root_cause_required"),
            Some(T::ErrRootCauseRequired)
        );
        assert_eq!(problem_code("something_new"), None);
    }

    #[test]
    fn every_error_code_has_a_text() {
        let missing: Vec<&str> = lazo_domain::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .filter(|c| problem_code(c).is_none())
            .collect();
        assert!(missing.is_empty(), "codes without a text: {missing:?}");
        for (code, t) in CODE_TEXTS {
            for lang in Lang::ALL {
                assert!(!t.get(*lang).is_empty(), "{code} in {lang:?}");
                assert!(
                    !t.get(*lang).contains('{'),
                    "{code}: a placeholder nobody fills"
                );
            }
        }
    }

    fn fe(code: &str, message: &str) -> FieldError {
        FieldError::new("into", code, message)
    }

    #[test]
    fn field_errors_speak_the_agents_language() {
        let e = fe("too_long", "name is at most 100 characters");
        assert_eq!(
            field_message(&e, Lang::En),
            "name is at most 100 characters"
        );
        assert_eq!(field_message(&e, Lang::Es), T::ErrTooLong.get(Lang::Es));
        let e = fe("target_merged", "#1001 was merged into #1005");
        assert_eq!(
            field_message(&e, Lang::Fr),
            format!("{} (#1001, #1005)", T::ErrTargetMerged.get(Lang::Fr))
        );
        assert_eq!(
            field_message(&fe("brand_new", "as sent"), Lang::Es),
            "as sent"
        );
    }

    /// The arguments of the call starting at `s` (just after its `(`), as
    /// written, up to its closing parenthesis.
    fn call_args(s: &str) -> Vec<String> {
        let (mut args, mut cur, mut depth, mut in_str, mut esc) =
            (vec![], String::new(), 0, false, false);
        for ch in s.chars() {
            if in_str {
                cur.push(ch);
                match (esc, ch) {
                    (true, _) => esc = false,
                    (false, '\\') => esc = true,
                    (false, '"') => in_str = false,
                    _ => {}
                }
                continue;
            }
            match ch {
                '"' => {
                    in_str = true;
                    cur.push(ch);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(ch);
                }
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(ch);
                }
                ',' if depth == 0 => args.push(std::mem::take(&mut cur)),
                _ => cur.push(ch),
            }
        }
        args.push(cur);
        args.into_iter().map(|a| a.trim().to_owned()).collect()
    }

    fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                rust_files(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }

    /// The audit behind `every_error_code_has_a_text`: codes the server
    /// writes as string literals (not through `ErrorCode`) must still be
    /// `ErrorCode`s, or the SPA would show them untranslated.
    #[test]
    fn the_server_writes_only_known_codes() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../crates");
        let mut files = vec![];
        for krate in ["api", "service", "domain"] {
            rust_files(&root.join(krate).join("src"), &mut files);
        }
        assert!(files.len() > 20, "server sources not found under {root:?}");
        // (call, which argument is the code)
        let calls = [
            ("FieldError::new(", 1),
            ("::field(", 1),
            ("::taken(", 0),
            ("field(\n", 1),
        ];
        let mut literals = vec![];
        for f in &files {
            let src = std::fs::read_to_string(f).unwrap();
            for (call, arg) in calls {
                for (at, _) in src.match_indices(call) {
                    let args = call_args(&src[at + call.len()..]);
                    if let Some(a) = args
                        .get(arg)
                        .filter(|a| a.starts_with('"') && a.ends_with('"'))
                    {
                        literals.push((f.clone(), a.trim_matches('"').to_owned()));
                    }
                }
            }
            for (at, _) in src.match_indices("code: \"") {
                let rest = &src[at + 7..];
                if let Some(end) = rest.find('"') {
                    literals.push((f.clone(), rest[..end].to_owned()));
                }
            }
        }
        assert!(
            literals.iter().any(|(_, c)| c == "invalid_query"),
            "the scan finds nothing"
        );
        let unknown: Vec<_> = literals
            .iter()
            .filter(|(_, c)| c.parse::<lazo_domain::ErrorCode>().is_err())
            .collect();
        assert!(unknown.is_empty(), "codes outside ErrorCode: {unknown:?}");
    }
}
